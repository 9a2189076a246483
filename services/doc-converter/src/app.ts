import { createServiceApp, type Logger, type ReadinessCheck } from '@hip/shared';
import { registerAssetRoutes } from './routes/assets/index.ts';
import { registerDocumentRoutes } from './routes/documents/index.ts';
import { registerIntakeRoutes } from './routes/intake/index.ts';
import type { DocumentService, FolderBrowser } from './service-api.ts';
import { registerBrowsePages } from './ui/browse-pages.tsx';
import { registerAdminPages } from './ui/pages.tsx';

export interface AppDeps {
  logger: Logger;
  documents: DocumentService;
  /** The export share, read-only, for the admin pages. */
  share: FolderBrowser;
  /** The intake folder's refused files; absent when the intake is off. */
  intakeErrors?: FolderBrowser | undefined;
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
  const folders = { share: deps.share, intakeErrors: deps.intakeErrors };
  registerAdminPages(app, deps.documents, folders);
  registerBrowsePages(app, folders);
  return app;
}
