/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { AdminLayout, type Flash, StatusBadge, Timestamp } from '@hip/shared';
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
export const RETRYABLE = new Set(['received:parked', 'sent:failed', 'sent:pending']);

export interface HubStatus {
  clientId: string;
  idle: boolean;
  /** Where the Hub is, without credentials: an AMQP URL, or `memory://<name>` (in-process hub). */
  hub?: string | undefined;
  vhosts: { vhost: string; connected: boolean; unconfirmed: number; lastError?: string | undefined }[];
}

const NAV: [string, string][] = [['/', 'Messages']];

export const tracePath = (id: string) => `/admin/messages/${encodeURIComponent(id)}`;

/** The RC-REF of a message: the final acknowledgement of a sent one, or the one we answered a received one with. */
function RcRef(props: { row: MessageRow }) {
  const { row } = props;
  if (!row.ackDistributionId) return <span class="muted">—</span>;
  return (
    <>
      <span class="rc-ref">{row.ackDistributionId}</span> <Timestamp value={row.acknowledgedAt} />
    </>
  );
}

/** The Retry button; `back`: the page shown after the retry (the list or the message's own page). */
function RetryButton(props: { row: MessageRow; back: 'list' | 'message' }) {
  const { row } = props;
  if (!RETRYABLE.has(`${row.direction}:${row.state}`)) return null;
  return (
    <form class="inline" method="post" action={`${tracePath(row.distributionId)}/retry`}>
      <input type="hidden" name="back" value={props.back} />
      <button type="submit">Retry</button>
    </form>
  );
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
          <th>{props.direction === 'sent' ? 'Final acknowledgement (RC-REF)' : 'RC-REF we answered with'}</th>
          <th>Error</th>
          <th>Created</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.rows.length === 0 && (
          <tr>
            <td colspan={9} class="muted">
              {props.direction === 'sent'
                ? 'Nothing sent yet: the LRM sends through POST /messages (in the demo, from the LRM simulator).'
                : 'Nothing received yet.'}
            </td>
          </tr>
        )}
        {props.rows.map((r) => (
          <tr data-distribution-id={r.distributionId}>
            <td>
              <a href={tracePath(r.distributionId)}>{r.distributionId}</a>
            </td>
            <td>{r.type}</td>
            <td>{r.peer}</td>
            <td>{r.vhost}</td>
            <td>
              <StatusBadge status={r.state} tone={TONES[r.state] ?? 'warn'} />
            </td>
            <td class="ack">
              <RcRef row={r} />
            </td>
            <td>{r.errorCode ? `${r.errorCode} ${r.errorCause ?? ''}` : ''}</td>
            <td class="muted">
              <Timestamp value={r.createdAt} />
            </td>
            <td>
              <RetryButton row={r} back="list" />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The admin home: connection state, then sent and received messages with their RC-REF. */
export function AdminPage(props: {
  status: HubStatus;
  sent: MessageRow[];
  received: MessageRow[];
  flash?: Flash | undefined;
}) {
  const { status } = props;
  return (
    <AdminLayout
      service="hub-bridge"
      title={`Hub Santé messages · ${status.clientId}`}
      nav={NAV}
      flash={props.flash}
    >
      {status.idle ? (
        <p class="badge warn" id="idle">
          hub-bridge is idle: no Hub connection is configured (set HUB_AMQP_URL; `pnpm start` at the
          repository root runs the Hub simulator and points this bridge at it).
        </p>
      ) : (
        <>
          {status.hub && (
            <p>
              Hub: <code id="hub-url">{status.hub}</code>
              {status.hub.startsWith('memory:') ? ' (the in-process Hub simulator of the demo)' : ''}
            </p>
          )}
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
        </>
      )}
      <h2>Sent</h2>
      <MessageTable rows={props.sent} direction="sent" />
      <h2>Received</h2>
      <MessageTable rows={props.received} direction="received" />
    </AdminLayout>
  );
}

/** The trace of one message: where it stands, its RC-REF, and every step of its history. */
export function MessagePage(props: { clientId: string; row: MessageRow; flash?: Flash | undefined }) {
  const { row } = props;
  const sent = row.direction === 'sent';
  return (
    <AdminLayout service="hub-bridge" title={`Message ${row.distributionId}`} nav={NAV} flash={props.flash}>
      <table id="message" data-distribution-id={row.distributionId} data-direction={row.direction}>
        <tbody>
          <tr>
            <th>Direction</th>
            <td>
              {sent
                ? `sent by ${props.clientId} to ${row.peer}`
                : `received by ${props.clientId} from ${row.peer}`}
            </td>
          </tr>
          <tr>
            <th>Type, kind, format</th>
            <td>
              {row.type} · {row.kind} · {row.format.toUpperCase()} · vHost <code>{row.vhost}</code>
            </td>
          </tr>
          <tr>
            <th>State</th>
            <td>
              <StatusBadge status={row.state} tone={TONES[row.state] ?? 'warn'} />{' '}
              <RetryButton row={row} back="message" />
            </td>
          </tr>
          <tr>
            <th>{sent ? 'Final acknowledgement (RC-REF)' : 'RC-REF we answered with'}</th>
            <td class="ack">
              <RcRef row={row} />
            </td>
          </tr>
          <tr>
            <th>Publisher confirm</th>
            <td>{sent ? <Timestamp value={row.confirmedAt} /> : <span class="muted">—</span>}</td>
          </tr>
          <tr>
            <th>Error</th>
            <td>
              {row.errorCode || row.errorCause ? `${row.errorCode ?? ''} ${row.errorCause ?? ''}` : '—'}
            </td>
          </tr>
          <tr>
            <th>Caller's reference</th>
            <td>{row.reference ?? '—'}</td>
          </tr>
          <tr>
            <th>Created, updated</th>
            <td>
              <Timestamp value={row.createdAt} />, <Timestamp value={row.updatedAt} />
            </td>
          </tr>
        </tbody>
      </table>
      <h2>History</h2>
      <table id="history">
        <thead>
          <tr>
            <th>At</th>
            <th>State</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {row.history.map((h) => (
            <tr>
              <td>
                <Timestamp value={h.at} />
              </td>
              <td>
                <StatusBadge status={h.state} tone={TONES[h.state] ?? 'warn'} />
              </td>
              <td>{h.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">
        The body (patient data) is never shown. As JSON:{' '}
        <a href={`/messages/${encodeURIComponent(row.distributionId)}`}>GET /messages/{row.distributionId}</a>
        .
      </p>
    </AdminLayout>
  );
}
