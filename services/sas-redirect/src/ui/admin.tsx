/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import {
  AdminLayout,
  redirectWithFlash,
  type ServiceApp,
  StatusBadge,
  Timestamp,
  takeFlash,
  z,
} from '@hip/shared';
import { desc } from 'drizzle-orm';
import { csrf } from 'hono/csrf';
import { redirects } from '../db/schema.ts';
import type { AppDeps } from '../deps.ts';

/** The id in a retry form's URL: anything else would reach the database as NaN (a 500). */
const ParkedId = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const nav: [string, string][] = [
  ['/', 'Overview'],
  ['/admin/appointments', 'Appointments'],
];

/** Admin pages: configuration at a glance, recent redirects (no patient data), appointments, parked messages. */
export function registerAdminPages(app: ServiceApp, deps: AppDeps) {
  // The retry button is a form post: refuse one sent from another site's page.
  const publicOrigin = new URL(deps.settings.publicBaseUrl).origin;
  app.use(
    '/admin/*',
    csrf({ origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin }),
  );
  app.get('/', async (c) => {
    const recent = await deps.db.select().from(redirects).orderBy(desc(redirects.id)).limit(20);
    const sessions = deps.sso ? await deps.sso.sessions.count() : 0;
    return c.html(
      <AdminLayout service="sas-redirect" title="LRM → SAS contextual search" nav={nav} flash={takeFlash(c)}>
        <table>
          <tbody>
            <tr>
              <th>SAS platform</th>
              <td>{deps.settings.sasBaseUrl}</td>
            </tr>
            <tr>
              <th>Redirect mode</th>
              <td>{deps.settings.redirectMode}</td>
            </tr>
            <tr>
              <th>LRM/SAMU origins</th>
              <td>
                {[...deps.settings.origins].join(', ') || <em>none configured: every search is refused</em>}
              </td>
            </tr>
            <tr>
              <th>Pro Santé Connect</th>
              <td>
                {deps.sso ? (
                  <StatusBadge status={`SSO on, ${sessions} live session(s)`} tone="ok" />
                ) : (
                  <StatusBadge status="SSO off (PSC_ISSUER not set)" tone="warn" />
                )}
              </td>
            </tr>
          </tbody>
        </table>
        <h2>Recent redirects</h2>
        <table>
          <thead>
            <tr>
              <th>At</th>
              <th>Origin</th>
              <th>Mode</th>
              <th>Regulator</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((r) => (
              <tr>
                <td>
                  <Timestamp value={r.at} />
                </td>
                <td>{r.origin}</td>
                <td>{r.mode}</td>
                <td>{r.regulator ?? '-'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {deps.sso ? (
          <p>
            <a href="/auth/login">Log in with Pro Santé Connect</a> · <a href="/auth/logout">Log out</a>
          </p>
        ) : null}
      </AdminLayout>,
    );
  });

  app.get('/admin/appointments', async (c) => {
    const rows = await deps.appointments.list({ limit: 100 });
    const parked = await deps.appointments.parked();
    return c.html(
      <AdminLayout service="sas-redirect" title="Appointments (RS-SAS-RDV)" nav={nav} flash={takeFlash(c)}>
        {rows.length === 0 && (
          <p class="muted">
            No appointment yet: they arrive from the SAS platform through Hub Santé (book one on the SAS
            platform simulator).
          </p>
        )}
        <table>
          <thead>
            <tr>
              <th>LRM</th>
              <th>Appointment</th>
              <th>Status</th>
              <th>Start</th>
              <th>Version</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{r.lrm}</td>
                <td>
                  <a
                    href={`/admin/appointments/${encodeURIComponent(r.lrm)}/${encodeURIComponent(r.appointmentId)}`}
                  >
                    {r.appointmentId}
                  </a>
                </td>
                <td>
                  <span class={`badge ${r.status === 'cancelled' || r.status === 'noshow' ? 'warn' : 'ok'}`}>
                    {r.status}
                  </span>
                </td>
                <td>
                  <Timestamp value={r.start} />
                </td>
                <td>{r.version}</td>
                <td>
                  <Timestamp value={r.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Parked messages</h2>
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>Subject</th>
              <th>Reason</th>
              <th>Parked</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {parked.map((p) => (
              <tr>
                <td>{p.id}</td>
                <td>{p.subject}</td>
                <td class="error">{p.reason}</td>
                <td>
                  <Timestamp value={p.parkedAt} />
                </td>
                <td>
                  <form class="inline" method="post" action={`/admin/parked/${p.id}/retry`}>
                    <button type="submit">Retry</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </AdminLayout>,
    );
  });

  app.get('/admin/appointments/:lrm/:appointmentId', async (c) => {
    const { lrm, appointmentId } = c.req.param();
    const rows = await deps.appointments.history(lrm, appointmentId);
    return c.html(
      <AdminLayout service="sas-redirect" title={`Appointment ${appointmentId}`} nav={nav}>
        <p>
          LRM <strong>{lrm}</strong>: every message applied, oldest first.
        </p>
        {rows.length === 0 ? (
          <p class="muted">No message for this appointment.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Received</th>
                <th>Sent by the SAS</th>
                <th>Method</th>
                <th>Applied as</th>
                <th>Status</th>
                <th>Start</th>
                <th>Distribution id</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <td>
                    <Timestamp value={r.receivedAt} />
                  </td>
                  <td>
                    <Timestamp value={r.sentAt} />
                  </td>
                  <td>{r.method}</td>
                  <td>{r.applied}</td>
                  <td>{r.status}</td>
                  <td>
                    <Timestamp value={(r.state as { start?: string }).start} />
                  </td>
                  <td>{r.distributionId}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AdminLayout>,
    );
  });

  app.post('/admin/parked/:id/retry', async (c) => {
    const back = '/admin/appointments';
    const id = ParkedId.safeParse(c.req.param('id'));
    if (!id.success) {
      return redirectWithFlash(c, back, {
        tone: 'error',
        text: `"${c.req.param('id')}" is not a parked message id`,
      });
    }
    const result = await deps.appointments.retry(id.data);
    if (!result) return redirectWithFlash(c, back, { tone: 'error', text: `No parked message #${id.data}` });
    if ('error' in result) {
      return redirectWithFlash(c, back, {
        tone: 'error',
        text: `Parked message #${id.data} still cannot be applied: ${result.error}`,
      });
    }
    return redirectWithFlash(c, back, {
      tone: 'ok',
      text: `Parked message #${id.data} retried: ${result.outcome}`,
    });
  });
}
