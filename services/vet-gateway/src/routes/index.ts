import type { ServiceApp } from '@hip/shared';
import type { AppDeps } from '../app.ts';
import { registerAccountRoutes } from './accounts.ts';
import { registerActRoutes } from './acts.ts';
import { registerProductRoutes } from './products.ts';
import { registerReferenceRoutes } from './reference.ts';
import { registerRejectedVisitRoutes } from './rejected.ts';
import { registerVisitRoutes } from './visits.ts';

export function registerRoutes(app: ServiceApp, deps: AppDeps): void {
  registerAccountRoutes(app, deps);
  registerActRoutes(app, deps);
  registerProductRoutes(app, deps);
  registerVisitRoutes(app, deps);
  registerReferenceRoutes(app, deps);
  registerRejectedVisitRoutes(app, deps);
}
