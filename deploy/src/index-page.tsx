/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { raw } from 'hono/html';

export interface ServiceLink {
  name: string;
  port: number;
}

export interface IndexPageContent {
  services: ServiceLink[];
  /** Pages of the simulators of the outside systems (http URLs a browser opens). */
  simulators?: { label: string; url: string }[];
  /** Demo accounts and keys of the simulators. */
  credentials?: { label: string; value: string }[];
}

/** A service as the index shows it, from its `/readyz` answer. */
export type ServiceState =
  | { state: 'ready' }
  | { state: 'idle'; reason: string }
  | { state: 'not ready'; failing: string[] }
  | { state: 'down' };

/** Reads a service's `/readyz`: ready, idle (configured to do nothing, and why), not ready (which check), or down. */
export async function serviceState(port: number): Promise<ServiceState> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) });
    const body = (await res.json().catch(() => ({}))) as {
      status?: string;
      reason?: string;
      checks?: Record<string, { ok: boolean }>;
    };
    if (res.ok && body.status === 'idle') return { state: 'idle', reason: body.reason ?? '' };
    if (res.ok) return { state: 'ready' };
    const failing = Object.entries(body.checks ?? {})
      .filter(([, check]) => !check.ok)
      .map(([name]) => name);
    return { state: 'not ready', failing };
  } catch {
    return { state: 'down' };
  }
}

const css = `body{font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;color:#1d2330}
td,th{padding:.4rem .8rem;text-align:left;vertical-align:top;border-bottom:1px solid #dde}table{border-collapse:collapse}
.ready{color:#17692a}.idle{color:#8a6100}.not-ready,.down{color:#a4161a}code{background:#f4f6f8;padding:0 .3rem}`;

function StateCell({ state }: { state: ServiceState }) {
  const cls = state.state.replace(' ', '-');
  return (
    <td class={cls} data-state={state.state}>
      {state.state}
      {state.state === 'idle' && state.reason && <div class="idle">{state.reason}</div>}
      {state.state === 'not ready' && state.failing.length > 0 && (
        <div>failing: {state.failing.join(', ')}</div>
      )}
    </td>
  );
}

/** The landing page of the single-process platform: every service, its state and its pages. */
export function createIndexApp(
  content: IndexPageContent,
  hostFor: (port: number) => string = (p) => `http://localhost:${p}`,
) {
  const { services, simulators = [], credentials = [] } = content;
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', service: 'platform' }));
  app.get('/', async (c) => {
    const states = await Promise.all(services.map((s) => serviceState(s.port)));
    return c.html(
      <>
        {raw('<!doctype html>')}
        <html lang="en">
          <head>
            <meta charset="utf-8" />
            <title>Health integration platform</title>
            <style>{css}</style>
          </head>
          <body>
            <h1>Health integration platform</h1>
            <table>
              <thead>
                <tr>
                  <th>Service</th>
                  <th>State</th>
                  <th>Pages</th>
                </tr>
              </thead>
              <tbody>
                {services.map((service, i) => (
                  <tr data-service={service.name}>
                    <td>
                      <strong>{service.name}</strong>
                    </td>
                    <StateCell state={states[i] ?? { state: 'down' }} />
                    <td>
                      <a href={`${hostFor(service.port)}/`}>admin</a> ·{' '}
                      <a href={`${hostFor(service.port)}/reference`}>API reference</a> ·{' '}
                      <a href={`${hostFor(service.port)}/openapi.json`}>OpenAPI</a> ·{' '}
                      <a href={`${hostFor(service.port)}/metrics`}>metrics</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {simulators.length > 0 && (
              <section>
                <h2>Simulators of the outside systems</h2>
                <ul>
                  {simulators.map((s) => (
                    <li>
                      <a href={s.url}>{s.label}</a>
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {credentials.length > 0 && (
              <section>
                <h2>Demo accounts and keys</h2>
                <p>Made up for the simulators of this demo; never valid anywhere else.</p>
                <table>
                  <tbody>
                    {credentials.map((cred) => (
                      <tr>
                        <th>{cred.label}</th>
                        <td>
                          <code>{cred.value}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            )}
          </body>
        </html>
      </>,
    );
  });
  return app;
}
