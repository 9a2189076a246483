/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type Flash, redirectWithFlash, StatusBadge, Timestamp, takeFlash } from '@hip/shared';
import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { HubSimulator } from './hub-simulator.ts';
import { type Example, exampleDescriptions, officialExamples } from './official-examples.ts';

export interface LrmSimulatorOptions {
  port: number;
  /** Our SAMU's Hub client id (the platform's hub-bridge). */
  clientId: string;
  /** hub-bridge's base URL for server-to-server calls. */
  bridgeUrl: string;
  /** hub-bridge's base URL as a browser opens it. */
  bridgePageUrl: string;
  /** Whom the page offers to send to; `pageUrl`: the recipient's own admin page. */
  recipients: { id: string; label: string; pageUrl?: string }[];
  /** The Hub simulator the messages go through, and where it runs (in process, on RabbitMQ). */
  hub: { where: string; simulator: Pick<HubSimulator, 'stats' | 'recent'> };
}

interface SentHere {
  at: Date;
  distributionId: string;
  type: string;
  example: string;
  recipient: string;
  format: 'json' | 'xml';
}

interface TraceRow {
  state: string;
  ackDistributionId: string | null;
  acknowledgedAt: string | null;
  errorCode: number | null;
  errorCause: string | null;
}

const TONES: Record<string, 'ok' | 'warn' | 'error'> = {
  acknowledged: 'ok',
  pending: 'warn',
  confirmed: 'warn',
  refused: 'error',
  error: 'error',
  expired: 'error',
};

/** Replies are not sent by hand: the bridge sends RC-REF and RS-ERROR itself. */
const SENDABLE = (e: Example) => e.format === 'json' && e.type !== 'RC-REF' && e.type !== 'RS-ERROR';

const css = `
body{font-family:system-ui,sans-serif;margin:0;color:#1d2330}
header{background:#5a3e85;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#fff;text-decoration:none}
main{padding:1rem 1.2rem;max-width:1200px}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border-bottom:1px solid #dde;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f8}.badge{padding:.1rem .45rem;border-radius:.6rem;font-size:.85em;background:#eef}
.ok{background:#dff5e1}.warn{background:#fff3cd}.error{background:#fde2e1}.muted{color:#667}
.flash{padding:.6rem .9rem;border-radius:.3rem;margin:.6rem 0}
form.send{display:grid;grid-template-columns:max-content 1fr;gap:.5rem 1rem;align-items:center;max-width:900px}
form.send select{max-width:100%}code{background:#f4f6f8;padding:0 .3rem}td{overflow-wrap:anywhere}
`;

function Layout(props: {
  title: string;
  links: [string, string][];
  flash?: Flash | undefined;
  children?: Child;
}) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{props.title}</title>
          <style>{css}</style>
        </head>
        <body>
          <header>
            <strong>LRM simulator</strong>
            {props.links.map(([href, label]) => (
              <a href={href}>{label}</a>
            ))}
          </header>
          <main>
            <h1>{props.title}</h1>
            {props.flash && (
              <p class={`flash ${props.flash.tone}`} role={props.flash.tone === 'error' ? 'alert' : 'status'}>
                {props.flash.text}
              </p>
            )}
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/**
 * A stand-in for our SAMU's regulation software (LRM), for the demo: a person picks one of the
 * official Hub Santé examples and a recipient, and the page sends it the way an LRM does, with
 * `POST /messages` on our hub-bridge. It then shows what became of each message (confirm, the
 * recipient's RC-REF, or the Hub's error report) and what the Hub simulator routed.
 */
export function createLrmSimulatorApp(options: Omit<LrmSimulatorOptions, 'port'>) {
  const examples = officialExamples().filter(SENDABLE);
  const byFile = new Map(examples.map((e) => [e.file, e]));
  const descriptions = exampleDescriptions();
  const labelOf = (e: Example) => {
    const d = descriptions.get(e.file);
    const what = [d?.name, d?.victim, d?.medicalSituation?.trim()].filter(Boolean).join(' · ');
    return `${e.type} — ${what || e.file.split('/')[1]}`;
  };
  const sent: SentHere[] = [];
  const bridgeLink = (path: string) => `${options.bridgePageUrl}${path}`;
  const tracePage = (id: string) => bridgeLink(`/admin/messages/${encodeURIComponent(id)}`);

  async function traceOf(id: string): Promise<TraceRow | 'unknown'> {
    try {
      const res = await fetch(`${options.bridgeUrl}/messages/${encodeURIComponent(id)}`, {
        signal: AbortSignal.timeout(2_000),
      });
      return res.ok ? ((await res.json()) as TraceRow) : 'unknown';
    } catch {
      return 'unknown';
    }
  }

  const app = new Hono();
  // The Send button is a form post: refuse one sent from another site's page.
  app.use('/send', csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin }));

  app.get('/', async (c) => {
    const shown = sent.slice(0, 20);
    const traces = await Promise.all(shown.map((s) => traceOf(s.distributionId)));
    const { stats, recent } = options.hub.simulator;
    const links: [string, string][] = [
      [bridgeLink('/'), `hub-bridge ${options.clientId}`],
      ...options.recipients
        .filter((r) => r.pageUrl)
        .map((r) => [r.pageUrl as string, `bridge ${r.id}`] as [string, string]),
    ];
    return c.html(
      <Layout title={`Our SAMU's LRM · ${options.clientId}`} links={links} flash={takeFlash(c)}>
        <p>
          Plays our SAMU's regulation software. <strong>Send</strong> hands the chosen official example to
          this platform's hub-bridge (<code>POST /messages</code>): it wraps it in EDXL-DE + RC-DE, validates
          it and publishes it on the Hub ({options.hub.where}); the Hub simulator routes it to the recipient,
          whose bridge answers with an RC-REF, shown below as the final acknowledgement.
        </p>
        <form class="send" method="post" action="/send">
          <label for="example">Official example</label>
          <select id="example" name="example">
            {examples.map((e) => (
              <option value={e.file} selected={e.file === examples.find((x) => x.type === 'RS-EDA')?.file}>
                {labelOf(e)}
              </option>
            ))}
          </select>
          <label for="recipient">Recipient</label>
          <select id="recipient" name="recipient">
            {options.recipients.map((r) => (
              <option value={r.id}>{r.label}</option>
            ))}
          </select>
          <label for="format">Format on the wire</label>
          <select id="format" name="format">
            <option value="json">JSON</option>
            <option value="xml">XML</option>
          </select>
          <span />
          <span>
            <button type="submit" id="send">
              Send
            </button>
          </span>
        </form>

        <h2>Sent from this page</h2>
        {shown.length === 0 ? (
          <p class="muted" id="nothing-sent">
            Nothing sent yet.
          </p>
        ) : (
          <table id="sent">
            <thead>
              <tr>
                <th>Sent</th>
                <th>Type</th>
                <th>Example</th>
                <th>Recipient</th>
                <th>distributionID (trace)</th>
                <th>State</th>
                <th>Final acknowledgement (RC-REF)</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((s, i) => {
                const t = traces[i];
                return (
                  <tr data-distribution-id={s.distributionId}>
                    <td>
                      <Timestamp value={s.at} />
                    </td>
                    <td>{s.type}</td>
                    <td class="muted">
                      {s.example} ({s.format.toUpperCase()})
                    </td>
                    <td>{s.recipient}</td>
                    <td>
                      <a href={tracePage(s.distributionId)}>{s.distributionId}</a>
                    </td>
                    <td>
                      {t === 'unknown' || !t ? (
                        <StatusBadge status="unknown" tone="warn" />
                      ) : (
                        <StatusBadge status={t.state} tone={TONES[t.state] ?? 'warn'} />
                      )}
                    </td>
                    <td class="ack">
                      {t !== 'unknown' && t?.ackDistributionId ? (
                        <>
                          {t.ackDistributionId} <Timestamp value={t.acknowledgedAt} />
                        </>
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                    <td>{t !== 'unknown' && t?.errorCode ? `${t.errorCode} ${t.errorCause ?? ''}` : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <p class="muted">The states are read from hub-bridge when the page loads: reload to follow them.</p>

        <h2 id="hub">Hub simulator ({options.hub.where})</h2>
        <p>
          Routed: {stats.routed ?? 0}
          {Object.entries(stats)
            .filter(([k]) => k !== 'routed')
            .map(([code, n]) => `; RS-ERROR ${code}: ${n}`)
            .join('')}
        </p>
        {recent.length === 0 ? (
          <p class="muted">Nothing published on the Hub yet.</p>
        ) : (
          <table id="dispatched">
            <thead>
              <tr>
                <th>At</th>
                <th>From</th>
                <th>To</th>
                <th>distributionID</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {recent.slice(0, 20).map((d) => (
                <tr>
                  <td>
                    <Timestamp value={d.at} />
                  </td>
                  <td>{d.from}</td>
                  <td>{d.to ?? '?'}</td>
                  <td class="muted">{d.distributionId ?? '?'}</td>
                  <td>
                    {d.outcome === 'routed' ? (
                      <>
                        <StatusBadge status="routed" tone="ok" /> to <code>{d.detail}</code>
                      </>
                    ) : (
                      <>
                        <StatusBadge status={`RS-ERROR ${d.outcome}`} tone="error" /> {d.detail}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    );
  });

  app.post('/send', async (c) => {
    const form = await c.req.parseBody();
    const example = byFile.get(String(form.example ?? ''));
    const recipient = options.recipients.find((r) => r.id === form.recipient)?.id;
    const format = form.format === 'xml' ? 'xml' : 'json';
    if (!example || !recipient)
      return redirectWithFlash(c, '/', {
        tone: 'error',
        text: 'Choose an official example and a recipient.',
      });
    let res: Response;
    try {
      res = await fetch(`${options.bridgeUrl}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ recipient, type: example.type, content: example.content, format }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      return redirectWithFlash(c, '/', {
        tone: 'error',
        text: `Not sent: hub-bridge does not answer at ${options.bridgeUrl} (${(error as Error).message}).`,
      });
    }
    const body = (await res.json().catch(() => ({}))) as {
      distributionId?: string;
      state?: string;
      detail?: string;
      errors?: { path: string; message: string }[];
    };
    if (res.status !== 202 || !body.distributionId) {
      const errors = (body.errors ?? [])
        .slice(0, 3)
        .map((e) => `${e.path} ${e.message}`)
        .join('; ');
      return redirectWithFlash(c, '/', {
        tone: 'error',
        text: `Not sent: hub-bridge answered ${res.status}: ${body.detail ?? 'no detail'}${errors ? ` (${errors})` : ''}.`,
      });
    }
    sent.unshift({
      at: new Date(),
      distributionId: body.distributionId,
      type: example.type,
      example: example.file.split('/')[1] as string,
      recipient,
      format,
    });
    sent.length = Math.min(sent.length, 50);
    return redirectWithFlash(c, '/', {
      tone: 'ok',
      text: `Sent ${example.type} to ${recipient} as ${body.distributionId} (${body.state ?? 'pending'}): its RC-REF shows below once the recipient has it.`,
    });
  });
  return app;
}

/** Serves the LRM simulator page on `port` (0: any free port). */
export async function startLrmSimulator(options: LrmSimulatorOptions) {
  const { listen } = await import('@hip/shared/node');
  const server = await listen(createLrmSimulatorApp(options), options.port);
  return { port: server.port, close: () => server.close() };
}
