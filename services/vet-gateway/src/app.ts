import {
  type Bus,
  createServiceApp,
  type Database,
  type Logger,
  type OutboxRelay,
  type ReadinessCheck,
} from '@hip/shared';
import type { ActPusher } from './import/acts.ts';
import type { Importer } from './import/importer.ts';
import type { ReferenceCache } from './import/reference.ts';
import type { SessionProvider } from './import/sessions.ts';
import { registerRoutes } from './routes/index.ts';
import type { SecretBox } from './secrets.ts';
import { registerAdminPages } from './ui/pages.tsx';

export interface AppDeps {
  logger: Logger;
  bus: Bus;
  db: Database;
  readiness: Record<string, ReadinessCheck>;
  /** Absent when VET_SECRETS_KEY is not set: credentials can then not be registered. */
  secrets: SecretBox | undefined;
  sessions: SessionProvider;
  importer: Importer;
  acts: ActPusher;
  relay: OutboxRelay;
  reference: ReferenceCache;
  /** Vétélevage web front, for direct authentication links. */
  webUrl: string | undefined;
}

/** The HTTP API of vet-gateway. Routes only: dependencies are injected, nothing runs at import. */
export function createApp(deps: AppDeps) {
  const app = createServiceApp({
    name: 'vet-gateway',
    description:
      'Vet practice software (LGCV) <-> Vétélevage: visit import, act list, product mapping, billing lines',
    logger: deps.logger,
    readiness: deps.readiness,
  });
  app.get('/', (c) => c.redirect('/admin'));
  registerRoutes(app, deps);
  registerAdminPages(app, deps);
  return app;
}
export type VetApp = ReturnType<typeof createApp>;
