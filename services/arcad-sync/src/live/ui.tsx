/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { AdminLayout, type ServiceApp, StatusBadge, Timestamp, takeFlash } from '@hip/shared';
import type { Operations } from '../operations.ts';
import type { Sessions } from '../session.ts';
import { done, failed } from '../ui/actions.ts';
import type { Live } from './index.ts';
import type { MessageStatus } from './schema.ts';

const tones: Record<string, 'ok' | 'warn' | 'error' | undefined> = {
  applied: 'ok',
  sent: 'ok',
  ignored: undefined,
  pending: 'warn',
  refused: 'error',
  failed: 'error',
};
const statuses: MessageStatus[] = ['applied', 'ignored', 'refused', 'failed', 'pending'];

/** The console page of the live flows: received ARCAD360 messages and parked LIVIA sends. */
export function registerLiveConsole(
  app: ServiceApp,
  deps: { live: Live; ops: Operations; sessions: Sessions },
) {
  const { live, ops, sessions } = deps;
  const path = (tenant: string) => `/console/tenants/${tenant}/live`;

  app.get('/console/tenants/:tenant/live', async (c) => {
    const tenant = c.req.param('tenant');
    const session = await sessions.get(c);
    if (!session) return c.redirect(`/auth/login?next=${encodeURIComponent(path(tenant))}`, 302);
    try {
      await ops.requireViewer(tenant, session);
    } catch (error) {
      return failed(c, '/console', `Tenant ${tenant} cannot be shown`, error);
    }
    const status = statuses.find((s) => s === c.req.query('status'));
    const log = await live.inbound.log(tenant, { status, limit: 500 });
    const sends = await live.outbound.log(tenant, { status: ['failed', 'refused'] });
    return c.html(
      <AdminLayout
        service="arcad-sync"
        title={`Live flows · ${tenant}`}
        nav={[
          ['/console', 'Console'],
          [`/console/tenants/${tenant}`, 'Flows'],
          [`/console/tenants/${tenant}/errors`, 'Error manager'],
          [path(tenant), 'ARCAD messages'],
        ]}
        flash={takeFlash(c)}
      >
        <p class="muted">
          Logged in with ARCAD360 as <strong>{session.name}</strong> ({session.roles.join(', ') || 'no role'})
        </p>
        <h2>Received from ARCAD360</h2>
        <p data-testid="counts">
          {statuses.map((s) => (
            <>
              <a href={`${path(tenant)}?status=${s}`}>
                <StatusBadge status={`${s}: ${log.counts[s] ?? 0}`} tone={tones[s]} />
              </a>{' '}
            </>
          ))}
          <a href={path(tenant)}>all</a>
        </p>
        {log.ignoredReasons.length > 0 && (
          <details>
            <summary>Ignored, by reason</summary>
            <ul data-testid="ignored-reasons">
              {log.ignoredReasons.map((r) => (
                <li>
                  {r.count} × {r.reason}
                </li>
              ))}
            </ul>
          </details>
        )}
        <form method="post" action={`${path(tenant)}/retry`}>
          <table data-testid="messages">
            <thead>
              <tr>
                <th>Received</th>
                <th>Message</th>
                <th>Client</th>
                <th>Outcome</th>
                <th>Reason / changes sent to LIVIA</th>
                <th>Attempts</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {log.items.map((m) => (
                <tr data-message={m.messageId} data-status={m.status}>
                  <td>
                    <Timestamp value={m.receivedAt} />
                  </td>
                  <td>{m.type}</td>
                  <td>
                    {m.clientId} #{m.sequence}
                  </td>
                  <td>
                    <StatusBadge status={m.status} tone={tones[m.status]} />
                  </td>
                  <td>{m.status === 'applied' ? m.changes.join(', ') : m.reason}</td>
                  <td>{m.attempts}</td>
                  <td>
                    {m.retryable && (
                      <button type="submit" name="id" value={String(m.id)}>
                        Retry
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {(log.counts.failed ?? 0) > 0 && (
            <button type="submit" name="all" value="true">
              Retry all failed
            </button>
          )}
        </form>
        <h2>Sent to ARCAD360: parked</h2>
        <form method="post" action={`${path(tenant)}/sends/retry`}>
          <table data-testid="sends">
            <thead>
              <tr>
                <th>Entity</th>
                <th>LIVIA id</th>
                <th>Outcome</th>
                <th>Reason</th>
                <th>Attempts</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {sends.map((s) => (
                <tr data-send={`${s.entity}/${s.liviaId}`}>
                  <td>{s.entity}</td>
                  <td>{s.liviaId}</td>
                  <td>
                    <StatusBadge status={s.status} tone={tones[s.status]} />
                  </td>
                  <td>{s.reason}</td>
                  <td>{s.attempts}</td>
                  <td>
                    {s.retryable && (
                      <button type="submit" name="item" value={`${s.entity}/${s.liviaId}`}>
                        Retry
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </form>
      </AdminLayout>,
    );
  });

  app.post('/console/tenants/:tenant/live/retry', async (c) => {
    const tenant = c.req.param('tenant');
    const form = await c.req.parseBody();
    try {
      await ops.requirePrivileged(tenant, await sessions.get(c));
      const id = Number(form.id);
      const n = await live.inbound.retry(
        tenant,
        form.all === 'true' ? 'all' : Number.isInteger(id) ? [id] : [],
      );
      return done(
        c,
        path(tenant),
        n === 0 ? 'No failed message to retry' : `${n} message(s) applied again: see their outcome below`,
      );
    } catch (error) {
      return failed(c, path(tenant), 'Messages not retried', error);
    }
  });

  app.post('/console/tenants/:tenant/live/sends/retry', async (c) => {
    const tenant = c.req.param('tenant');
    const form = await c.req.parseBody();
    try {
      await ops.requirePrivileged(tenant, await sessions.get(c));
      const [entity, ...rest] = String(form.item ?? '').split('/');
      const n = await live.outbound.retry(tenant, [{ entity: entity ?? '', liviaId: rest.join('/') }]);
      return done(
        c,
        path(tenant),
        n === 0
          ? 'Nothing to retry: the change is no longer parked'
          : 'Change sent again: see its outcome below',
      );
    } catch (error) {
      return failed(c, path(tenant), 'Change not sent again', error);
    }
  });
}
