import { createServiceApp, type Logger, type ReadinessCheck } from '@hip/shared';
import { registerAssetRoutes } from './routes/assets/index.ts';
import { registerDocumentRoutes } from './routes/documents/index.ts';
import { registerIntakeRoutes } from './routes/intake/index.ts';
import type { DocumentService } from './service-api.ts';
import { registerAdminPages } from './ui/pages.tsx';

export interface AppDeps {
  logger: Logger;
  documents: DocumentService;
  readiness: Record<string, ReadinessCheck>;
  /** Largest POST /documents body (base64 inflates contents by a third). */
  maxBodyBytes: number;
}

/** The HTTP API and admin pages of doc-converter. Routes only: dependencies are injected. */
export function createApp(deps: AppDeps) {
  const app = createServiceApp({
    name: 'doc-converter',
    description: 'Teleconsultation documents -> signed PDF on a network share',
    logger: deps.logger,
    readiness: deps.readiness,
  });
  registerDocumentRoutes(app, deps.documents, deps.maxBodyBytes);
  registerAssetRoutes(app, deps.documents);
  registerIntakeRoutes(app, deps.documents);
  registerAdminPages(app, deps.documents);
  return app;
}
