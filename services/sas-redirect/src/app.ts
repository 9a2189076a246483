import { createServiceApp, requireBearer } from '@hip/shared';
import type { AppDeps } from './deps.ts';
import { registerAppointmentRoutes } from './routes/appointments/index.ts';
import { registerAuthRoutes } from './routes/auth/index.ts';
import { registerOfferRoutes } from './routes/offer/index.ts';
import { frenchRefusalPages } from './routes/search/browser-refusal.tsx';
import { registerSearchRoutes } from './routes/search/index.ts';
import { registerAdminPages } from './ui/admin.tsx';

export type { AppDeps, AppSettings } from './deps.ts';

/** The HTTP API of sas-redirect. Routes only: dependencies are injected, nothing runs at import. */
export function createApp(deps: AppDeps) {
  const app = createServiceApp({
    name: 'sas-redirect',
    description:
      'LRM -> SAS care-offer platform: contextual search redirect, Pro Santé Connect SSO, appointments, care offer',
    logger: deps.logger,
    readiness: deps.readiness,
  });
  // The LRM's server-to-server calls carry LRM_API_KEY when one is configured.
  const lrmGuard = (header?: string) => {
    const expected = deps.settings.lrmApiKey;
    if (expected !== undefined) requireBearer(header, expected, 'the LRM');
  };
  // Before the routes: it rewrites their refusals for the regulator's browser.
  for (const path of ['/search', '/launch/*', '/auth/callback', '/auth/login'])
    app.use(path, frenchRefusalPages());
  registerSearchRoutes(app, deps);
  registerAuthRoutes(app, deps);
  registerAppointmentRoutes(app, deps, lrmGuard);
  registerOfferRoutes(app, deps, lrmGuard);
  registerAdminPages(app, deps);
  return app;
}
