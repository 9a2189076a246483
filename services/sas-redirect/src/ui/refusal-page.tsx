/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import type { ErrorCode } from '@hip/shared';
import { raw } from 'hono/html';
import type { ContextProblem } from '../domain/refusal.ts';
import { frenchFieldLabel, frenchRefusal, frenchSummary } from './refusal-fr.ts';

const css = `
body{font-family:system-ui,sans-serif;margin:0;color:#1d2330}
header{background:#0b4f6c;color:#fff;padding:.6rem 1.2rem}
main{padding:1rem 1.2rem;max-width:900px}
li{margin:.4rem 0}.muted{color:#667}code{background:#f4f6f8;padding:.05rem .3rem}
`;

/**
 * What a regulator's browser shows when the LRM's search is refused: in French, field by field,
 * with what to fix and the request id to quote to the support.
 */
export function RefusalPage(props: {
  code: ErrorCode;
  /** The API's English detail: shown as technical detail when no field is to blame. */
  detail: string;
  problems: ContextProblem[];
  requestId: string;
}) {
  const summary = frenchSummary(props.code);
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="fr">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${summary.title} · sas-redirect`}</title>
          <style>{css}</style>
        </head>
        <body>
          <header>
            <strong>Recherche contextuelle SAS</strong>
          </header>
          <main>
            <h1>{summary.title}</h1>
            {props.problems.length > 0 ? (
              <ul>
                {props.problems.map((p) => (
                  <li data-field={p.field}>
                    <strong>{frenchFieldLabel(p.field)}</strong> : {frenchRefusal(p.refusal)}
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">Détail technique : {props.detail}</p>
            )}
            <p>{summary.advice}</p>
            <p class="muted">
              Référence de la demande (à donner au support) :{' '}
              <code data-testid="request-id">{props.requestId}</code>
            </p>
          </main>
        </body>
      </html>
    </>
  );
}
