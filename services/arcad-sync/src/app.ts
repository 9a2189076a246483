import { type Bus, createServiceApp, type Database, type Logger, type ReadinessCheck } from '@hip/shared';
import type { ArcadApi } from './adapters/arcad.ts';
import type { ArcadLogin } from './adapters/arcadLogin.ts';
import type { FlowEngine } from './flows/engine.ts';
import type { Live } from './live/index.ts';
import { registerLive } from './live/routes.ts';
import { registerLiveConsole } from './live/ui.tsx';
import { createOperations } from './operations.ts';
import { registerApi } from './routes/api.ts';
import { registerAuth } from './routes/auth.ts';
import { createSessions } from './session.ts';
import { registerConsole } from './ui/console.tsx';

export interface AppDeps {
  logger: Logger;
  bus: Bus;
  db: Database;
  arcad: ArcadApi;
  login: ArcadLogin;
  engine: FlowEngine;
  readiness: Record<string, ReadinessCheck>;
  sessionSecret: string;
  liviaToken: string;
  publicUrl: string;
  /** The live flows (src/live); absent in apps built without them. */
  live?: Live;
}

/** The HTTP API of arcad-sync. Routes only: dependencies are injected, nothing runs at import. */
export function createApp(deps: AppDeps) {
  const app = createServiceApp({
    name: 'arcad-sync',
    description:
      'LIVIA <-> ARCAD360 synchronisation: activation, initialisation flows, error manager, console',
    logger: deps.logger,
    readiness: deps.readiness,
  });
  const sessions = createSessions(deps.sessionSecret, deps.publicUrl.startsWith('https:'));
  const ops = createOperations({ db: deps.db, engine: deps.engine, arcad: deps.arcad });
  app.openAPIRegistry.registerComponent('securitySchemes', 'liviaToken', { type: 'http', scheme: 'bearer' });
  registerAuth(app, { login: deps.login, sessions, publicUrl: deps.publicUrl });
  registerApi(app, { ops, engine: deps.engine, sessions, liviaToken: deps.liviaToken });
  registerConsole(app, { ops, engine: deps.engine, sessions });
  if (deps.live) {
    registerLive(app, { live: deps.live, ops, sessions, liviaToken: deps.liviaToken });
    registerLiveConsole(app, { live: deps.live, ops, sessions });
  }
  app.get('/', (c) => c.redirect('/console'));
  return app;
}
