/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { AdminLayout, StatusBadge } from '@hip/shared';
import type { MessageRow } from '../db/schema.ts';

const TONES: Record<string, 'ok' | 'warn' | 'error'> = {
  acknowledged: 'ok',
  delivered: 'ok',
  confirmed: 'warn',
  pending: 'warn',
  received: 'warn',
  report: 'warn',
  refused: 'error',
  error: 'error',
  expired: 'error',
  parked: 'error',
  failed: 'error',
  retried: 'ok',
};

/** What the Retry button re-runs: a parked received message, a failed or unconfirmed sent one. */
const RETRYABLE = new Set(['received:parked', 'sent:failed', 'sent:pending']);

export interface HubStatus {
  clientId: string;
  idle: boolean;
  vhosts: { vhost: string; connected: boolean; unconfirmed: number; lastError?: string | undefined }[];
}

function MessageTable(props: { rows: MessageRow[]; direction: 'sent' | 'received' }) {
  return (
    <table data-direction={props.direction}>
      <thead>
        <tr>
          <th>distributionID</th>
          <th>Type</th>
          <th>{props.direction === 'sent' ? 'Recipient' : 'Sender'}</th>
          <th>vHost</th>
          <th>State</th>
          <th>Final acknowledgement (RC-REF)</th>
          <th>Error</th>
          <th>Created</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr data-distribution-id={r.distributionId}>
            <td>
              <a href={`/messages/${encodeURIComponent(r.distributionId)}`}>{r.distributionId}</a>
            </td>
            <td>{r.type}</td>
            <td>{r.peer}</td>
            <td>{r.vhost}</td>
            <td>
              <StatusBadge status={r.state} tone={TONES[r.state] ?? 'warn'} />
            </td>
            <td class="ack">
              {r.ackDistributionId
                ? `${r.ackDistributionId} (${r.acknowledgedAt?.toISOString() ?? ''})`
                : '—'}
            </td>
            <td>{r.errorCode ? `${r.errorCode} ${r.errorCause ?? ''}` : ''}</td>
            <td class="muted">{r.createdAt.toISOString()}</td>
            <td>
              {RETRYABLE.has(`${r.direction}:${r.state}`) ? (
                <form
                  class="inline"
                  method="post"
                  action={`/admin/messages/${encodeURIComponent(r.distributionId)}/retry`}
                >
                  <button type="submit">Retry</button>
                </form>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The admin home: connection state, then sent and received messages with their final acknowledgement. */
export function AdminPage(props: { status: HubStatus; sent: MessageRow[]; received: MessageRow[] }) {
  const { status } = props;
  return (
    <AdminLayout
      service="hub-bridge"
      title={`Hub Santé messages · ${status.clientId}`}
      nav={[['/', 'Messages']]}
    >
      {status.idle ? (
        <p class="badge warn" id="idle">
          hub-bridge is idle: no Hub connection is configured (set HUB_AMQP_URL, or AMQP_URL for the local
          simulator).
        </p>
      ) : (
        <ul id="connections">
          {status.vhosts.map((v) => (
            <li>
              vHost <code>{v.vhost}</code>:{' '}
              <StatusBadge
                status={v.connected ? 'connected' : 'disconnected'}
                tone={v.connected ? 'ok' : 'error'}
              />{' '}
              {v.unconfirmed > 0 ? `${v.unconfirmed} awaiting confirm` : ''}{' '}
              {v.lastError ? `last error: ${v.lastError}` : ''}
            </li>
          ))}
        </ul>
      )}
      <h2>Sent</h2>
      <MessageTable rows={props.sent} direction="sent" />
      <h2>Received</h2>
      <MessageTable rows={props.received} direction="received" />
    </AdminLayout>
  );
}
