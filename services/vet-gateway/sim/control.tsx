/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { type Flash, redirectWithFlash, takeFlash } from '@hip/shared';
import { Hono } from 'hono';
import { raw } from 'hono/html';
import type { Visit } from '../src/adapters/vetelevage/contract.ts';

/** What the control plane shows of one simulated Vétélevage account. */
export interface SimAccountView {
  id: string;
  login: string;
  editor: string | undefined;
  /** Visits not handed out yet: the next `GET /visites` freezes them into a batch. */
  pending: readonly Visit[];
  /** Visits of the batch handed out and not DELETEd yet. */
  frozen: number;
  acts: number;
}

export interface SimControl {
  accounts(): SimAccountView[];
  editors(): string[];
  /** Makes `count` new visits wait for the account; false when the account is unknown. */
  makeVisits(account: string, count: number): boolean;
}

/** Visits made by one request: enough for a demo, bounded so a typo cannot flood the page. */
export const MAX_NEW_VISITS = 100;
/** Waiting visits listed per account on the page (the count is always shown in full). */
const LISTED_VISITS = 20;

/** The number of visits to make, or why it is not one. */
export function parseVisitCount(
  value: string | undefined,
): { ok: true; count: number } | { ok: false; error: string } {
  const text = (value ?? '3').trim();
  const count = Number(text);
  if (!/^\d+$/.test(text) || count < 1 || count > MAX_NEW_VISITS)
    return { ok: false, error: `count must be a whole number from 1 to ${MAX_NEW_VISITS}, not "${text}"` };
  return { ok: true, count };
}

const css = `body{font-family:system-ui,sans-serif;margin:0;color:#1d2330}
header{background:#5a3e1b;color:#fff;padding:.6rem 1.2rem}main{padding:1rem 1.2rem;max-width:1200px}
table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border-bottom:1px solid #dde;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f8}.muted{color:#667}.flash{padding:.6rem .9rem;border-radius:.3rem;margin:.6rem 0}
.ok{background:#dff5e1}.error{background:#fde2e1}input[type=number]{width:4rem}`;

function Page(props: { flash: Flash | undefined; accounts: SimAccountView[]; editors: string[] }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>Vétélevage simulator</title>
          <style>{css}</style>
        </head>
        <body>
          <header>
            <strong>Vétélevage simulator</strong>{' '}
            <span>control plane of the demo (not part of the real API)</span>
          </header>
          <main>
            <h1>Accounts and their waiting visits</h1>
            {props.flash && (
              <p class={`flash ${props.flash.tone}`} role={props.flash.tone === 'error' ? 'alert' : 'status'}>
                {props.flash.text}
              </p>
            )}
            <p class="muted">
              Visits a vet entered in Vétélevage wait here until vet-gateway imports them (GET /visites, then
              DELETE /visites). Editors (SaaS mode): {props.editors.join(', ') || 'none'}. State as JSON:{' '}
              <a href="/_sim/state">/_sim/state</a>.
            </p>
            <table>
              <thead>
                <tr>
                  <th>Account</th>
                  <th>Login</th>
                  <th>Editor</th>
                  <th>Waiting visits</th>
                  <th>Handed out, not deleted</th>
                  <th>Acts held</th>
                  <th>New visits</th>
                </tr>
              </thead>
              <tbody>
                {props.accounts.map((a) => (
                  <tr data-account={a.id}>
                    <td>{a.id}</td>
                    <td>{a.login}</td>
                    <td>{a.editor ?? '—'}</td>
                    <td>
                      <span data-pending={a.pending.length}>{a.pending.length}</span>
                      <ul>
                        {a.pending.slice(0, LISTED_VISITS).map((v) => (
                          <li data-visit={v.id}>
                            {`${v.id} · ${v.date} · ${v.elevage.nom} · ${v.actes.length} acts, ${v.produits.length} products`}
                          </li>
                        ))}
                        {a.pending.length > LISTED_VISITS && (
                          <li class="muted">{`and ${a.pending.length - LISTED_VISITS} more`}</li>
                        )}
                      </ul>
                    </td>
                    <td>{a.frozen}</td>
                    <td>{a.acts}</td>
                    <td>
                      <form method="post" action={`/_sim/accounts/${a.id}/visits`}>
                        <input
                          type="number"
                          name="count"
                          value="3"
                          min="1"
                          max={String(MAX_NEW_VISITS)}
                          aria-label={`number of visits for ${a.id}`}
                        />{' '}
                        <button type="submit">Make new visits</button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </main>
        </body>
      </html>
    </>
  );
}

/**
 * The simulator's control plane under `/_sim`: what a demo user and the README's curl commands
 * drive. It is not part of the simulated Vétélevage API, so it takes no API token (the API keeps
 * its authentication exactly as the real one has it).
 */
export function createSimControlApp(control: SimControl) {
  const app = new Hono();
  app.get('/', (c) =>
    c.html(<Page flash={takeFlash(c)} accounts={control.accounts()} editors={control.editors()} />),
  );
  app.get('/state', (c) =>
    c.json({
      accounts: control.accounts().map((a) => ({
        id: a.id,
        editor: a.editor,
        pending: a.pending.length,
        frozen: a.frozen,
        acts: a.acts,
      })),
      editors: control.editors(),
    }),
  );
  app.post('/accounts/:id/visits', async (c) => {
    const id = c.req.param('id');
    // A form of the page answers with the page and a message; a script (curl) gets JSON.
    const fromForm = (c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded');
    const body = fromForm ? await c.req.parseBody() : {};
    const parsed = parseVisitCount(fromForm ? String(body.count ?? '') : c.req.query('count'));
    if (!parsed.ok)
      return fromForm
        ? redirectWithFlash(c, '/_sim', { tone: 'error', text: parsed.error })
        : c.json({ erreur: parsed.error }, 400);
    if (!control.makeVisits(id, parsed.count)) {
      const error = `unknown account ${id}`;
      return fromForm
        ? redirectWithFlash(c, '/_sim', { tone: 'error', text: error })
        : c.json({ erreur: error }, 404);
    }
    const pending = control.accounts().find((a) => a.id === id)?.pending.length ?? 0;
    if (!fromForm) return c.json({ pending });
    return redirectWithFlash(c, '/_sim', {
      tone: 'ok',
      text: `${parsed.count} new visit${parsed.count > 1 ? 's' : ''} made for ${id}: ${pending} waiting for vet-gateway to import them`,
    });
  });
  return app;
}
