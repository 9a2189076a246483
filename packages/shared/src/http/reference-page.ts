import { html, raw } from 'hono/html';

interface OpenApiLike {
  info: { title: string; version: string; description?: string };
  paths?: Record<
    string,
    Record<
      string,
      {
        summary?: string;
        description?: string;
        tags?: string[];
        responses?: Record<string, { description?: string }>;
      }
    >
  >;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/**
 * A reference page rendered from the OpenAPI document on the server, so that it works on
 * networks without access to a CDN (the usual case on health-sector infrastructure).
 */
export function renderReferencePage(doc: OpenApiLike) {
  const operations = Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m.toUpperCase(), op: item[m]! })),
  );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${doc.info.title} API</title>
<style>body{font-family:system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem}
code{background:#f3f3f3;padding:0 .25rem}.m{display:inline-block;width:4.5rem;font-weight:bold}
li{margin:.4rem 0}small{color:#555}</style></head>
<body><h1>${doc.info.title} <small>v${doc.info.version}</small></h1>
<p>${doc.info.description ?? ''}</p>
<p>Machine-readable document: <a href="/openapi.json">/openapi.json</a></p>
<ul>${raw(
    operations
      .map(
        ({ path, method, op }) =>
          `<li><span class="m">${method}</span><code>${escape(path)}</code> ${escape(op.summary ?? '')}<br><small>${escape(
            op.description ?? '',
          )} Responses: ${escape(Object.keys(op.responses ?? {}).join(', '))}</small></li>`,
      )
      .join(''),
  )}</ul></body></html>`;
}

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
