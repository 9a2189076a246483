/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { AppError, redirectWithFlash, type ServiceApp, takeFlash } from '@hip/shared';
import { csrf } from 'hono/csrf';
import type { HubBridge } from '../bridge/bridge.ts';
import type { TraceStore } from '../db/trace-store.ts';
import { AdminPage, type HubStatus, MessagePage, tracePath } from './admin.tsx';

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
    return c.html(<AdminPage status={deps.status()} sent={sent} received={received} flash={takeFlash(c)} />);
  });

  app.get('/admin/messages/:distributionId', async (c) => {
    const row = await deps.store.get(c.req.param('distributionId'));
    if (!row) throw new AppError('NOT_FOUND', 'no such message in the trace');
    return c.html(<MessagePage clientId={deps.status().clientId} row={row} flash={takeFlash(c)} />);
  });

  app.post('/admin/messages/:distributionId/retry', async (c) => {
    const id = c.req.param('distributionId');
    const form = await c.req.parseBody();
    const back = form.back === 'message' ? tracePath(id) : '/';
    try {
      // A message still invalid is parked again (its history says so).
      const row = await deps.bridge.retry(id);
      const text =
        row.distributionId === id
          ? `Retried ${id}: now ${row.state}.`
          : `Sent again as ${row.distributionId} (${row.state}); ${id} is marked retried.`;
      return redirectWithFlash(c, back, { tone: row.state === 'parked' ? 'error' : 'ok', text });
    } catch (error) {
      // A retry that cannot run (bridge idle, wrong state, unknown message) says why on the page.
      const detail = error instanceof AppError ? error.detail : (error as Error).message;
      return redirectWithFlash(c, back, { tone: 'error', text: `Not retried: ${detail}` });
    }
  });
}
