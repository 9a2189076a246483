/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import {
  AdminLayout,
  AppError,
  describeError,
  type Flash,
  redirectWithFlash,
  type ServiceApp,
  StatusBadge,
  Timestamp,
  takeFlash,
} from '@hip/shared';
import { and, asc, eq, type SQL } from 'drizzle-orm';
import type { Context } from 'hono';
import type { AppDeps } from '../app.ts';
import { catalogue, mappings } from '../db/schema.ts';
import { listAccounts } from '../routes/accounts.ts';
import { IdSchema, requireAccount } from '../routes/params.ts';
import { linesOfVisits } from '../store/billing.ts';
import { catalogueOf } from '../store/catalogue.ts';
import { accountErrors } from '../store/errors.ts';
import { setMapping, unmappedProducts } from '../store/mappings.ts';
import { openRejectedVisits, reprocessRejectedVisit } from '../store/rejected.ts';
import { describeImport } from './import-message.ts';

const NAV: [string, string][] = [['/admin', 'Accounts']];

const tone = (status: string | null) => (status === 'ok' ? 'ok' : status === 'failed' ? 'error' : 'warn');

const accountParam = (value: string) => {
  const parsed = IdSchema.safeParse(value);
  if (!parsed.success) throw new AppError('BAD_REQUEST', `"${value}" is not an account id`);
  return parsed.data;
};

/**
 * Runs a form action and ends it on `back` with what happened: the action's own message, or the
 * reason it failed. A person at the page never lands on a JSON problem document.
 */
async function act(c: Context, back: string, action: () => Promise<Flash>): Promise<Response> {
  let flash: Flash;
  try {
    flash = await action();
  } catch (error) {
    flash = { tone: 'error', text: error instanceof AppError ? error.detail : describeError(error) };
  }
  return redirectWithFlash(c, back, flash);
}

const accountPage = (account: string) => `/admin/accounts/${account}`;

/**
 * A form action on one account: ends on the account's page, or on the list when the account is
 * not one we know (its page would be an error).
 */
async function accountAction(
  c: Context,
  db: AppDeps['db'],
  action: (account: string) => Promise<Flash>,
  back: (account: string) => string = accountPage,
): Promise<Response> {
  const parsed = IdSchema.safeParse(c.req.param('account'));
  if (!parsed.success)
    return redirectWithFlash(c, '/admin', {
      tone: 'error',
      text: `"${c.req.param('account')}" is not an account id.`,
    });
  const account = parsed.data;
  const known = await requireAccount(db, account).then(
    () => true,
    () => false,
  );
  if (!known)
    return redirectWithFlash(c, '/admin', { tone: 'error', text: `Account ${account} is not registered.` });
  return act(c, back(account), () => action(account));
}

/** An LGCV product as the vet knows it: its name, then its id. */
const productName = (names: ReadonlyMap<string, string>, lgcvId: string) =>
  names.has(lgcvId) ? `${names.get(lgcvId)} (${lgcvId})` : lgcvId;

/** One searchable list of the catalogue for every picker of the page (sent once, however many rows). */
const CATALOGUE_LIST = 'lgcv-catalogue';

function ManualPicker(props: { account: string; vetelevageId: string; label: string }) {
  return (
    <form class="inline" method="post" action={`/admin/accounts/${props.account}/mappings`}>
      <input type="hidden" name="vetelevageId" value={props.vetelevageId} />
      <input
        type="text"
        name="lgcvId"
        list={CATALOGUE_LIST}
        required
        placeholder="search the LGCV catalogue"
        aria-label={`LGCV product for ${props.vetelevageId}`}
        data-pick={props.vetelevageId}
      />{' '}
      <button type="submit" data-map={props.vetelevageId}>
        {props.label}
      </button>
    </form>
  );
}

/** Server-rendered admin pages: accounts with their imports and errors, product mapping. */
export function registerAdminPages(app: ServiceApp, deps: AppDeps): void {
  const { db } = deps;

  app.get('/admin', async (c) => {
    const list = await listAccounts(deps);
    return c.html(
      <AdminLayout service="vet-gateway" title="Vétélevage accounts" nav={NAV} flash={takeFlash(c)}>
        {list.length === 0 ? (
          <p class="muted">No account linked yet: PUT /accounts/{'{account}'} (see API).</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Account</th>
                <th>Mode</th>
                <th>Last import</th>
                <th>Status</th>
                <th>Open errors</th>
                <th>Act list</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr data-account={a.id}>
                  <td>
                    <a href={`/admin/accounts/${a.id}`}>{a.id}</a> <span class="muted">{a.label ?? ''}</span>
                  </td>
                  <td>{a.mode === 'saas' ? `SaaS (${a.editorId})` : 'veterinarian'}</td>
                  <td>{a.lastImportAt ? <Timestamp value={a.lastImportAt} /> : 'never'}</td>
                  <td>
                    <StatusBadge status={a.lastImportStatus ?? 'not run'} tone={tone(a.lastImportStatus)} />
                  </td>
                  <td>
                    {a.openErrors > 0 ? <StatusBadge status={String(a.openErrors)} tone="error" /> : '0'}
                  </td>
                  <td>
                    {a.actsPushError ? (
                      <span class="error">{a.actsPushError}</span>
                    ) : a.actsPushedAt ? (
                      <Timestamp value={a.actsPushedAt} />
                    ) : (
                      'not pushed'
                    )}
                  </td>
                  <td>
                    <ImportButton account={a.id} back="list" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AdminLayout>,
    );
  });

  app.get('/admin/accounts/:account', async (c) => {
    const account = accountParam(c.req.param('account'));
    const row = await requireAccount(db, account);
    const [errors, unmapped, visits, rejected, products, mapped] = await Promise.all([
      accountErrors(db, row),
      unmappedProducts(db, account),
      linesOfVisits(db, account, { limit: 20 }),
      openRejectedVisits(db, row),
      catalogueOf(db, account),
      db.select().from(mappings).where(eq(mappings.account, account)).orderBy(asc(mappings.vetelevageId)),
    ]);
    const names = new Map(products.map((p) => [p.lgcvId, p.name]));
    return c.html(
      <AdminLayout service="vet-gateway" title={`Account ${account}`} nav={NAV} flash={takeFlash(c)}>
        <p>
          {row.label ?? ''}{' '}
          <span class="muted">
            {row.mode === 'saas' ? `SaaS mode, editor ${row.editorId}` : 'veterinarian mode'}
          </span>{' '}
          <ImportButton account={account} back="account" />
        </p>
        <datalist id={CATALOGUE_LIST}>
          {products.map((p) => (
            <option value={p.lgcvId}>{p.name}</option>
          ))}
        </datalist>
        <h2>Open errors</h2>
        {errors.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <table>
            <tbody>
              {errors.map((e) => (
                <tr data-error={e.kind}>
                  <td>
                    <Timestamp value={e.at} />
                  </td>
                  <td>{e.operation}</td>
                  <td>
                    <StatusBadge status={e.kind} tone="error" />
                  </td>
                  <td>{e.detail}</td>
                  <td>{e.retryable ? 'retried automatically' : 'needs a fix'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>Rejected visits</h2>
        {rejected.length === 0 ? (
          <p class="muted">None: every visit received matched the contract.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Visit</th>
                <th>Batch</th>
                <th>What is wrong</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rejected.map((r) => (
                <tr data-rejected={r.visitId ?? `#${r.position}`}>
                  <td>{r.visitId ?? `position ${r.position}`}</td>
                  <td>{r.lot}</td>
                  <td>
                    {r.problems.map((p) => (
                      <div>{`${p.path} ${p.message}`}</div>
                    ))}
                  </td>
                  <td>
                    <form
                      class="inline"
                      method="post"
                      action={`/admin/accounts/${account}/rejected-visits/${r.id}/reprocess`}
                    >
                      <button type="submit">Reprocess</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>Unmapped products</h2>
        {products.length === 0 ? (
          <p class="muted">{`No LGCV catalogue yet: the LGCV sends it with PUT /accounts/${account}/catalogue.`}</p>
        ) : (
          <p class="muted">{`${products.length} products in the LGCV catalogue.`}</p>
        )}
        {unmapped.length === 0 ? (
          <p class="muted">Every product seen in visits is mapped.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Vétélevage product</th>
                <th>GTIN</th>
                <th>Suggestions</th>
                <th>Or choose an LGCV product</th>
              </tr>
            </thead>
            <tbody>
              {unmapped.map((p) => (
                <tr data-product={p.vetelevageId}>
                  <td>
                    {p.label} <span class="muted">({p.vetelevageId})</span>
                  </td>
                  <td>
                    {p.gtin14 ?? '—'}
                    {p.gtinError ? <div class="error">{`GTIN ignored: ${p.gtinError}`}</div> : null}
                  </td>
                  <td>
                    {p.suggestions.length === 0 ? (
                      <span class="muted">no suggestion: choose the product</span>
                    ) : null}
                    {p.suggestions.map((s) => (
                      <form class="inline" method="post" action={`/admin/accounts/${account}/mappings`}>
                        <input type="hidden" name="vetelevageId" value={p.vetelevageId} />
                        <input type="hidden" name="lgcvId" value={s.lgcvId} />
                        <button type="submit" data-confirm={`${p.vetelevageId}:${s.lgcvId}`}>
                          {`Confirm ${s.name} (${s.reason === 'gtin' ? 'same GTIN' : `name ${Math.round(s.score * 100)}%`})`}
                        </button>
                      </form>
                    ))}
                  </td>
                  <td>
                    <ManualPicker account={account} vetelevageId={p.vetelevageId} label="Map" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>Mapped products</h2>
        {mapped.length === 0 ? (
          <p class="muted">None yet: a product is mapped once, for all visits.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Vétélevage product</th>
                <th>LGCV product</th>
                <th>Since</th>
                <th>Change</th>
              </tr>
            </thead>
            <tbody>
              {mapped.map((m) => (
                <tr data-mapped={m.vetelevageId}>
                  <td>{m.vetelevageId}</td>
                  <td>{productName(names, m.lgcvId)}</td>
                  <td>
                    <Timestamp value={m.createdAt} />
                  </td>
                  <td>
                    <ManualPicker account={account} vetelevageId={m.vetelevageId} label="Change" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>Recent visits</h2>
        {visits.length === 0 ? <p class="muted">No visit imported yet.</p> : null}
        <table>
          <thead>
            <tr>
              <th>Visit</th>
              <th>Date</th>
              <th>Lines</th>
            </tr>
          </thead>
          <tbody>
            {visits.map((v) => (
              <tr data-visit={v.visitId}>
                <td>{v.visitId}</td>
                <td>{v.date}</td>
                <td>
                  {v.lines.map((l) => (
                    <div
                      class="line"
                      data-line={l.line}
                      data-product={l.vetelevageProductId ?? undefined}
                      data-status={l.status}
                    >
                      {`${l.kind === 'act' ? l.actCode : l.label} × ${l.quantity} ${l.unit}`}{' '}
                      {l.kind === 'product' ? (
                        <span class="muted">{`→ ${l.lgcvProductId ? productName(names, l.lgcvProductId) : 'unmapped'}`}</span>
                      ) : null}{' '}
                      <StatusBadge status={l.status} tone={l.status === 'ok' ? 'ok' : 'warn'} />
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </AdminLayout>,
    );
  });

  app.post('/admin/accounts/:account/mappings', async (c) => {
    const form = await c.req.parseBody();
    const vetelevageId = String(form.vetelevageId ?? '').trim();
    const chosen = String(form.lgcvId ?? '').trim();
    return accountAction(c, db, async (account) => {
      if (!vetelevageId) throw new AppError('BAD_REQUEST', 'No Vétélevage product was given to map.');
      if (!chosen) throw new AppError('BAD_REQUEST', `Choose an LGCV product for ${vetelevageId}.`);
      const product = await findCatalogueProduct(db, account, chosen);
      if (!product)
        throw new AppError(
          'UNPROCESSABLE',
          `"${chosen}" is not a product of the LGCV catalogue of ${account}: choose one from the list.`,
        );
      const { affectedVisits } = await setMapping(db, {
        account,
        vetelevageId,
        lgcvId: product.lgcvId,
        origin: 'confirmed',
      });
      deps.relay.kick();
      return {
        tone: 'ok',
        text: `Vétélevage product ${vetelevageId} mapped to ${product.name} (${product.lgcvId}): billing lines of ${affectedVisits} visit${affectedVisits === 1 ? '' : 's'} updated.`,
      };
    });
  });

  app.post('/admin/accounts/:account/rejected-visits/:id/reprocess', async (c) => {
    const id = Number(c.req.param('id'));
    return accountAction(c, db, async (account) => {
      if (!Number.isSafeInteger(id) || id <= 0)
        throw new AppError('BAD_REQUEST', 'rejected visit id must be a number');
      const outcome = await reprocessRejectedVisit(db, await requireAccount(db, account), id);
      deps.relay.kick();
      return { tone: 'ok', text: `Rejected visit ${outcome.visitId} reprocessed: it is imported now.` };
    });
  });

  app.post('/admin/accounts/:account/import', async (c) => {
    const form = await c.req.parseBody();
    return accountAction(
      c,
      db,
      async (account) => {
        const source = await deps.sessions.sourceOfAccount(account);
        return describeImport(
          account,
          source,
          await deps.importer.importSource(source, { afterRunning: true }),
        );
      },
      // Only two places to go back to: never a URL taken from the request.
      (account) => (form.back === 'account' ? accountPage(account) : '/admin'),
    );
  });
}

function ImportButton(props: { account: string; back: 'list' | 'account' }) {
  return (
    <form class="inline" method="post" action={`/admin/accounts/${props.account}/import`}>
      <input type="hidden" name="back" value={props.back} />
      <button type="submit" data-import={props.account}>
        Import now
      </button>
    </form>
  );
}

/** The catalogue product a person chose: by id (the list's value), or by its exact name if typed. */
async function findCatalogueProduct(db: AppDeps['db'], account: string, chosen: string) {
  const byId = await db
    .select({ lgcvId: catalogue.lgcvId, name: catalogue.name })
    .from(catalogue)
    .where(and(eq(catalogue.account, account), eq(catalogue.lgcvId, chosen)) as SQL);
  if (byId[0]) return byId[0];
  const byName = (await catalogueOf(db, account)).filter(
    (p) => p.name.toLowerCase() === chosen.toLowerCase(),
  );
  return byName.length === 1 ? byName[0] : undefined;
}
