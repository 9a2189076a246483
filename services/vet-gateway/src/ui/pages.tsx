/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { AdminLayout, AppError, type ServiceApp, StatusBadge } from '@hip/shared';
import type { AppDeps } from '../app.ts';
import { listAccounts } from '../routes/accounts.ts';
import { IdSchema, requireAccount } from '../routes/params.ts';
import { linesOfVisits } from '../store/billing.ts';
import { accountErrors } from '../store/errors.ts';
import { setMapping, unmappedProducts } from '../store/mappings.ts';
import { openRejectedVisits, reprocessRejectedVisit } from '../store/rejected.ts';

const NAV: [string, string][] = [['/admin', 'Accounts']];

const tone = (status: string | null) => (status === 'ok' ? 'ok' : status === 'failed' ? 'error' : 'warn');

const accountParam = (value: string) => {
  const parsed = IdSchema.safeParse(value);
  if (!parsed.success) throw new AppError('BAD_REQUEST', `"${value}" is not an account id`);
  return parsed.data;
};

/** Server-rendered admin pages: accounts with their imports and errors, product mapping. */
export function registerAdminPages(app: ServiceApp, deps: AppDeps): void {
  const { db } = deps;

  app.get('/admin', async (c) => {
    const list = await listAccounts(deps);
    return c.html(
      <AdminLayout service="vet-gateway" title="Vétélevage accounts" nav={NAV}>
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
                  <td>{a.lastImportAt ?? 'never'}</td>
                  <td>
                    <StatusBadge status={a.lastImportStatus ?? 'not run'} tone={tone(a.lastImportStatus)} />
                  </td>
                  <td>
                    {a.openErrors > 0 ? <StatusBadge status={String(a.openErrors)} tone="error" /> : '0'}
                  </td>
                  <td>
                    {a.actsPushError ? (
                      <span class="error">{a.actsPushError}</span>
                    ) : (
                      (a.actsPushedAt ?? 'not pushed')
                    )}
                  </td>
                  <td>
                    <form class="inline" method="post" action={`/admin/accounts/${a.id}/import`}>
                      <button type="submit">Import now</button>
                    </form>
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
    const [errors, unmapped, visits, rejected] = await Promise.all([
      accountErrors(db, row),
      unmappedProducts(db, account),
      linesOfVisits(db, account, { limit: 20 }),
      openRejectedVisits(db, row),
    ]);
    return c.html(
      <AdminLayout service="vet-gateway" title={`Account ${account}`} nav={NAV}>
        <h2>Open errors</h2>
        {errors.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <table>
            <tbody>
              {errors.map((e) => (
                <tr data-error={e.kind}>
                  <td>{e.at.toISOString()}</td>
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
        {unmapped.length === 0 ? (
          <p class="muted">Every product seen in visits is mapped.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Vétélevage product</th>
                <th>GTIN</th>
                <th>Suggestions</th>
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
                      <span class="muted">no suggestion: map it through the API</span>
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
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h2>Recent visits</h2>
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
                        <span class="muted">{`→ ${l.lgcvProductId ?? 'unmapped'}`}</span>
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
    const account = accountParam(c.req.param('account'));
    const form = await c.req.parseBody();
    const vetelevageId = String(form.vetelevageId ?? '');
    const lgcvId = String(form.lgcvId ?? '');
    if (!vetelevageId || !lgcvId) throw new AppError('BAD_REQUEST', 'vetelevageId and lgcvId are required');
    await requireAccount(db, account);
    await setMapping(db, { account, vetelevageId, lgcvId, origin: 'confirmed' });
    deps.relay.kick();
    return c.redirect(`/admin/accounts/${account}`, 303);
  });

  app.post('/admin/accounts/:account/rejected-visits/:id/reprocess', async (c) => {
    const account = accountParam(c.req.param('account'));
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0)
      throw new AppError('BAD_REQUEST', 'rejected visit id must be a number');
    await reprocessRejectedVisit(db, await requireAccount(db, account), id);
    deps.relay.kick();
    return c.redirect(`/admin/accounts/${account}`, 303);
  });

  app.post('/admin/accounts/:account/import', async (c) => {
    const account = accountParam(c.req.param('account'));
    await deps.importer.importSource(await deps.sessions.sourceOfAccount(account));
    return c.redirect('/admin', 303);
  });
}
