/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';

export interface ServiceLink {
  name: string;
  port: number;
}

/** The landing page of the single-process platform: every service, its state and its pages. */
export function createIndexApp(
  links: ServiceLink[],
  simulators: { label: string; url: string }[] = [],
  hostFor: (port: number) => string = (p) => `http://localhost:${p}`,
) {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok', service: 'platform' }));
  app.get('/', async (c) => {
    const states = await Promise.all(
      links.map(async (link) => {
        try {
          const res = await fetch(`http://127.0.0.1:${link.port}/readyz`, {
            signal: AbortSignal.timeout(2_000),
          });
          return res.ok ? 'ready' : 'not ready';
        } catch {
          return 'down';
        }
      }),
    );
    return c.html(
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Health integration platform</title>
          <style>
            {
              'body{font-family:system-ui,sans-serif;max-width:900px;margin:2rem auto}td,th{padding:.4rem .8rem;text-align:left}'
            }
          </style>
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
              {links.map((link, i) => (
                <tr>
                  <td>
                    <strong>{link.name}</strong>
                  </td>
                  <td data-state={states[i]}>{states[i]}</td>
                  <td>
                    <a href={`${hostFor(link.port)}/`}>admin</a> ·{' '}
                    <a href={`${hostFor(link.port)}/reference`}>API reference</a> ·{' '}
                    <a href={`${hostFor(link.port)}/openapi.json`}>OpenAPI</a> ·{' '}
                    <a href={`${hostFor(link.port)}/metrics`}>metrics</a>
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
        </body>
      </html>,
    );
  });
  return app;
}
