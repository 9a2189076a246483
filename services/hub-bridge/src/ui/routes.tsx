/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { ServiceApp } from '@hip/shared';
import { csrf } from 'hono/csrf';
import type { HubBridge } from '../bridge/bridge.ts';
import type { TraceStore } from '../db/trace-store.ts';
import { AdminPage, type HubStatus } from './admin.tsx';

export function registerAdminRoutes(
  app: ServiceApp,
  deps: { store: TraceStore; bridge: HubBridge; status: () => HubStatus },
) {
  // The Retry button is a form post: refuse one sent from another site's page.
  app.use('/admin/*', csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin }));
  app.get('/', async (c) => {
    const [sent, received] = await Promise.all([
      deps.store.list({ direction: 'sent', limit: 200 }),
      deps.store.list({ direction: 'received', limit: 200 }),
    ]);
    return c.html(<AdminPage status={deps.status()} sent={sent} received={received} />);
  });

  app.post('/admin/messages/:distributionId/retry', async (c) => {
    // A message still invalid is parked again (its history says so); a retry that cannot run
    // (bridge idle, wrong state) answers with the error instead of the page.
    await deps.bridge.retry(c.req.param('distributionId'));
    return c.redirect('/', 303);
  });
}
