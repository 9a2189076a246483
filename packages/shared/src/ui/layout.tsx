/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Flash } from './flash.ts';
import { formatTimestamp } from './time.ts';

const css = `
body{font-family:system-ui,sans-serif;margin:0;color:#1d2330}
header{background:#0b4f6c;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.2rem;align-items:center}
header a{color:#fff;text-decoration:none}header strong{margin-right:1rem}
main{padding:1rem 1.2rem;max-width:1200px}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border-bottom:1px solid #dde;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f8}.badge{padding:.1rem .45rem;border-radius:.6rem;font-size:.85em;background:#eef}
.ok{background:#dff5e1}.warn{background:#fff3cd}.error{background:#fde2e1}
form.inline{display:inline}button{cursor:pointer}.muted{color:#667}
.flash{padding:.6rem .9rem;border-radius:.3rem;margin:.6rem 0}
`;

/**
 * The frame of every admin page of the platform, so that they all look and read alike.
 *
 * @example
 * c.html(<AdminLayout service="doc-converter" title="Parked documents" nav={[['/admin', 'Documents']]}>...</AdminLayout>)
 */
export function AdminLayout(props: {
  service: string;
  title: string;
  nav?: [href: string, label: string][];
  /** What the last action did (see `redirectWithFlash`), shown above the page's content. */
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
          <title>{`${props.title} · ${props.service}`}</title>
          <style>{css}</style>
        </head>
        <body>
          <header>
            <strong>{props.service}</strong>
            {(props.nav ?? []).map(([href, label]) => (
              <a href={href}>{label}</a>
            ))}
            <a href="/reference">API</a>
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

/** A point in time as every page shows it: Paris time with its offset, machine-readable too. */
export function Timestamp(props: { value: Date | string | number | null | undefined }) {
  if (props.value === null || props.value === undefined || props.value === '')
    return <span class="muted">—</span>;
  const date = props.value instanceof Date ? props.value : new Date(props.value);
  return (
    <time datetime={Number.isNaN(date.getTime()) ? undefined : date.toISOString()}>
      {formatTimestamp(date)}
    </time>
  );
}

/** A state shown as a coloured badge: `ok`, `warn` or `error` tone. */
export function StatusBadge(props: { status: string; tone?: 'ok' | 'warn' | 'error' }) {
  return (
    <span class={`badge ${props.tone ?? ''}`} data-status={props.status}>
      {props.status}
    </span>
  );
}
