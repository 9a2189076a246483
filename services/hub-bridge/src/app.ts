import { type Bus, createServiceApp, type Database, type Logger, type ReadinessCheck } from '@hip/shared';
import type { HubBridge } from './bridge/bridge.ts';
import type { TraceStore } from './db/trace-store.ts';
import { registerMessageRoutes } from './routes/messages/index.ts';
import type { HubStatus } from './ui/admin.tsx';
import { registerAdminRoutes } from './ui/routes.tsx';

export interface AppDeps {
  logger: Logger;
  bus: Bus;
  db: Database;
  bridge: HubBridge;
  store: TraceStore;
  status: () => HubStatus;
  readiness: Record<string, ReadinessCheck>;
  /** Why the bridge does nothing although ready (no Hub configured): `/readyz` says `idle`. */
  idleReason?: () => string | undefined;
}

/** The HTTP API of hub-bridge. Routes only: dependencies are injected, nothing runs at import. */
export function createApp(deps: AppDeps) {
  const app = createServiceApp({
    name: 'hub-bridge',
    description: 'LRM <-> Hub Santé (RabbitMQ, EDXL-DE)',
    logger: deps.logger,
    readiness: deps.readiness,
    ...(deps.idleReason ? { idleReason: deps.idleReason } : {}),
  });
  registerMessageRoutes(app, deps);
  registerAdminRoutes(app, deps);
  return app;
}
