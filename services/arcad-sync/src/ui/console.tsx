/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import {
  AdminLayout,
  type AppEnv,
  AppError,
  type Flash,
  type ServiceApp,
  StatusBadge,
  Timestamp,
  takeFlash,
} from '@hip/shared';
import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { type FlowId, type FlowTotals, flowIds } from '../domain/flows.ts';
import { entityKinds } from '../domain/liviaEntities.ts';
import { type ArcadSession, flowRefusal } from '../domain/session.ts';
import type { FlowEngine, FlowState } from '../flows/engine.ts';
import type { MappingChoice, Operations } from '../operations.ts';
import { progressOf } from '../routes/api.ts';
import type { Sessions } from '../session.ts';
import { done, failed } from './actions.ts';

const SERVICE = 'arcad-sync';

function Page(props: {
  title: string;
  session: ArcadSession | null;
  tenant?: string;
  flash?: Flash | undefined;
  children?: Child;
}) {
  const nav: [string, string][] = [['/console', 'Console']];
  if (props.tenant)
    nav.push(
      [`/console/tenants/${props.tenant}`, 'Flows'],
      [`/console/tenants/${props.tenant}/activities`, 'Activity mapping'],
      [`/console/tenants/${props.tenant}/errors`, 'Error manager'],
      [`/console/tenants/${props.tenant}/live`, 'ARCAD messages'],
    );
  return (
    <AdminLayout service={SERVICE} title={props.title} nav={nav} flash={props.flash}>
      <p class="muted">
        {props.session ? (
          <>
            Logged in with ARCAD360 as <strong data-testid="who">{props.session.name}</strong> (
            {props.session.roles.join(', ') || 'no role'}, tenant {props.session.arcadTenant}){' '}
            <form class="inline" method="post" action="/auth/logout">
              <button type="submit">Log out</button>
            </form>
          </>
        ) : (
          <a
            href={`/auth/login?next=${encodeURIComponent(props.tenant ? `/console/tenants/${props.tenant}` : '/console')}`}
          >
            Log in with ARCAD
          </a>
        )}
      </p>
      {props.children}
    </AdminLayout>
  );
}

/** Parked: ARCAD refused the data, retrying unchanged fails again; the others may pass as they are. */
const errorState = (e: { status: string; retryable: boolean | null }) =>
  e.status === 'sending'
    ? { status: 'outcome unknown', tone: 'warn' as const }
    : e.retryable === false
      ? { status: 'parked', tone: 'error' as const }
      : { status: 'failed, retryable', tone: 'warn' as const };

const stateOf = (s: FlowState): { label: string; tone: 'ok' | 'warn' | 'error' | undefined } => {
  if (s.running) return { label: 'running', tone: 'warn' };
  if (s.lockReason) return { label: 'locked', tone: undefined };
  if (s.completed && s.unresolvedErrors > 0)
    return { label: `done with ${s.unresolvedErrors} error(s)`, tone: 'error' };
  if (s.completed) return { label: 'done', tone: 'ok' };
  return { label: 'ready', tone: undefined };
};

/** Every run of the flow together: after a retry, "last run" alone would hide the initial run. */
function Totals(props: { totals: FlowTotals; unresolved: number }) {
  const t = props.totals;
  if (t.runs === 0) return <span class="muted">—</span>;
  return (
    <div class="totals" data-sent={t.sent} data-failures={t.failures}>
      {t.sent} sent in {t.runs} run(s)
      {t.retryRuns > 0 && (
        <>
          , {t.sentByRetries} of them by {t.retryRuns} retry run(s)
        </>
      )}
      <div class="muted">
        {t.failures} failed attempt(s), {props.unresolved} still to fix, {t.heldBack} held back
      </div>
    </div>
  );
}

/** Live progress: the bar follows the run's server-sent events and reloads the page at the end. */
const progressScript = raw(`<script>
for (const el of document.querySelectorAll('[data-run]')) {
  const source = new EventSource(el.dataset.events);
  const bar = el.querySelector('progress'), text = el.querySelector('.progress-text');
  source.addEventListener('progress', (e) => {
    const p = JSON.parse(e.data);
    bar.value = p.percent;
    text.textContent = p.percent + '% (' + p.done + '/' + p.total + ' done, ' + Math.max(0, p.total - p.done) + ' to go, ' + p.errors + ' error(s))';
  });
  source.addEventListener('end', () => { source.close(); el.dataset.finished = 'true'; setTimeout(() => location.replace(location.pathname), 600); });
}
</script>`);

export function registerConsole(
  app: ServiceApp,
  deps: { ops: Operations; engine: FlowEngine; sessions: Sessions },
) {
  const { ops, engine, sessions } = deps;
  /**
   * Tenant pages need an ARCAD360 session of the tenant; without one, go and log in first. A
   * session of another ARCAD tenant, or an unknown tenant, lands on the console with the reason.
   */
  const viewer = async (c: Context<AppEnv>, tenant: string) => {
    const session = await sessions.get(c);
    if (!session)
      return {
        session,
        login: c.redirect(`/auth/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 302),
      };
    try {
      await ops.requireViewer(tenant, session);
    } catch (error) {
      return { session, login: failed(c, '/console', `Tenant ${tenant} cannot be shown`, error) };
    }
    return { session, login: null };
  };

  app.get('/console', async (c) => {
    const session = await sessions.get(c);
    const tenants = session ? await ops.listTenants() : [];
    return c.html(
      <Page title="ARCAD360 interface" session={session} flash={takeFlash(c)}>
        {session && (
          <>
            <h2>Activated tenants</h2>
            <table>
              <thead>
                <tr>
                  <th>LIVIA tenant</th>
                  <th>ARCAD360 tenant</th>
                  <th>Activated</th>
                </tr>
              </thead>
              <tbody>
                {tenants.map((t) => (
                  <tr>
                    <td>
                      <a href={`/console/tenants/${t.tenant}`}>{t.tenant}</a>
                    </td>
                    <td>{t.arcadTenant}</td>
                    <td>
                      <Timestamp value={t.activatedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h2>Activate the interface</h2>
            <form method="post" action="/console/activate">
              <label>
                LIVIA tenant <input name="tenant" required />
              </label>{' '}
              <label>
                ARCAD360 tenant name <input name="arcadTenant" required value={session.arcadTenant} />
              </label>{' '}
              <button type="submit">Activate</button>
            </form>
            <p class="muted">
              Activation and the initialisation flows need a privileged (expert) ARCAD360 account of that
              tenant: another account would cause irreversible errors in ARCAD360.
            </p>
          </>
        )}
      </Page>,
    );
  });

  app.post('/console/activate', async (c) => {
    const form = await c.req.parseBody();
    const tenant = String(form.tenant ?? '');
    const arcadTenant = String(form.arcadTenant ?? '');
    const what = `Tenant ${tenant} not activated`;
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(tenant))
      return failed(
        c,
        '/console',
        what,
        new AppError('BAD_REQUEST', 'LIVIA tenant: lower-case letters, digits and -, at most 40'),
      );
    if (!/^[\w-]{1,60}$/.test(arcadTenant))
      return failed(
        c,
        '/console',
        what,
        new AppError('BAD_REQUEST', 'ARCAD360 tenant name: letters, digits, _ and -, at most 60'),
      );
    try {
      const before = (await ops.listTenants()).some((t) => t.tenant === tenant);
      await ops.activate(tenant, arcadTenant, await sessions.get(c));
      return done(
        c,
        `/console/tenants/${tenant}`,
        before
          ? `Tenant ${tenant} was already linked to ARCAD360 tenant ${arcadTenant}`
          : `Tenant ${tenant} activated with ARCAD360 tenant ${arcadTenant}: LIVIA may now push its data`,
      );
    } catch (error) {
      return failed(c, '/console', what, error);
    }
  });

  app.get('/console/tenants/:tenant', async (c) => {
    const tenant = c.req.param('tenant');
    const { session, login } = await viewer(c, tenant);
    if (login) return login;
    const row = await ops.tenantOf(tenant);
    // Anyone of the tenant may watch; only its experts may run (the seed's irreversible errors).
    const readOnly = flowRefusal(session, row.arcadTenant, Date.now() / 1000);
    const states = await engine.states(tenant);
    const pending = await ops.pendingCredentials(tenant);
    const pushed = Object.entries(await ops.pushedCounts(tenant));
    const reports = new Map<FlowId, Awaited<ReturnType<Operations['flowErrors']>>>();
    for (const flow of flowIds)
      if (states[flow].lastRun && states[flow].unresolvedErrors > 0)
        reports.set(flow, await ops.flowErrors(tenant, flow, 10));
    return c.html(
      <Page
        title={`Tenant ${tenant} → ARCAD360 ${row.arcadTenant}`}
        session={session}
        tenant={tenant}
        flash={takeFlash(c)}
      >
        <h2>Initialisation flows</h2>
        <p class="muted" data-testid="livia-data">
          Pushed by LIVIA:{' '}
          {pushed.length === 0 ? 'nothing yet' : pushed.map(([e, n]) => `${e}: ${n}`).join(', ')}
        </p>
        {readOnly && (
          <p class="muted" data-testid="read-only">
            Read only: {readOnly}
          </p>
        )}
        <table data-testid="flow-graph">
          <thead>
            <tr>
              <th>Flow</th>
              <th>Depends on</th>
              <th>State</th>
              <th>Last run</th>
              <th>All runs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {flowIds.map((flow) => {
              const s = states[flow];
              const state = stateOf(s);
              const run = s.lastRun;
              return (
                <tr data-flow={flow}>
                  <td>
                    <strong>{flow}</strong> {s.label}
                  </td>
                  <td>{s.parents.join(', ') || '—'}</td>
                  <td>
                    <StatusBadge status={state.label} {...(state.tone ? { tone: state.tone } : {})} />
                    {s.lockReason && !s.running && <div class="muted lock-reason">{s.lockReason}</div>}
                  </td>
                  <td>
                    {run && run.status === 'running' ? (
                      <div data-run={run.id} data-events={`/tenants/${tenant}/runs/${run.id}/events`}>
                        <progress max={100} value={progressOf(run).percent} />{' '}
                        <span class="progress-text">
                          {progressOf(run).percent}% ({progressOf(run).done}/{run.total} done)
                        </span>
                        <div class="muted in-flight" data-in-flight={s.inFlight}>
                          {s.inFlight} being sent now{run.mode === 'retry' ? ' (retry)' : ''}
                        </div>
                      </div>
                    ) : run ? (
                      <div class="run-report">
                        {run.mode === 'retry' ? 'retry ' : ''}
                        {run.status}: {run.sent} sent, {run.errors} error(s), {run.skipped} held back
                        {run.finishedAt && (
                          <div class="muted">
                            <Timestamp value={run.finishedAt} />
                          </div>
                        )}
                        {run.interruptedReason && (
                          <div class="interrupted-reason">{run.interruptedReason}</div>
                        )}
                        {Object.entries(run.skippedReasons).map(([reason, n]) => (
                          <div class="muted">
                            {n} × {reason}
                          </div>
                        ))}
                      </div>
                    ) : (
                      <span class="muted">never run</span>
                    )}
                  </td>
                  <td>
                    <Totals totals={s.totals} unresolved={s.unresolvedErrors} />
                  </td>
                  <td>
                    {flow === 'I.3' ? (
                      <a href={`/console/tenants/${tenant}/activities`}>Choose and send activities</a>
                    ) : (
                      <form
                        class="inline"
                        method="post"
                        action={`/console/tenants/${tenant}/flows/${flow}/run`}
                      >
                        <button type="submit" disabled={Boolean(s.lockReason || readOnly)}>
                          Run {flow}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {pending > 0 && (
          <p>
            <a href={`/console/tenants/${tenant}/credentials.csv`} data-testid="csv">
              Download the {pending} logins and temporary passwords (CSV, once: purged after download)
            </a>
          </p>
        )}
        {[...reports.entries()].map(([flow, errors]) => (
          <section class="error-report" data-flow={flow}>
            <h3>
              {flow}: {errors.total} error(s) to fix
            </h3>
            {errors.total > errors.items.length && (
              <p class="muted">The first {errors.items.length} are shown.</p>
            )}
            <table>
              <tbody>
                {errors.items.map((e) => (
                  <tr>
                    <td>{e.entity}</td>
                    <td>{e.liviaId}</td>
                    <td>
                      <StatusBadge {...errorState(e)} />
                    </td>
                    <td>{e.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <a href={`/console/tenants/${tenant}/errors?flow=${flow}`}>Open in the error manager</a>
          </section>
        ))}
        {progressScript}
      </Page>,
    );
  });

  // The console's download link: a refusal (already downloaded, not privileged) comes back to the
  // flows page as a message instead of a problem document in the browser.
  app.get('/console/tenants/:tenant/credentials.csv', async (c) => {
    const tenant = c.req.param('tenant');
    try {
      const csv = await ops.takeCredentialsCsv(tenant, await sessions.get(c));
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="arcad-temporary-passwords.csv"`,
        'cache-control': 'no-store',
      });
    } catch (error) {
      return failed(c, `/console/tenants/${tenant}`, 'No CSV', error);
    }
  });

  app.post('/console/tenants/:tenant/flows/:flow/run', async (c) => {
    const tenant = c.req.param('tenant');
    const flow = flowIds.find((f) => f === c.req.param('flow'));
    const page = `/console/tenants/${tenant}`;
    if (!flow)
      return failed(c, page, 'Not started', new AppError('NOT_FOUND', `no flow ${c.req.param('flow')}`));
    try {
      await ops.startFlow(tenant, flow, await sessions.get(c));
    } catch (error) {
      return failed(c, page, `${flow} not started`, error);
    }
    return done(c, page, `${flow} started: follow its progress below`);
  });

  app.get('/console/tenants/:tenant/activities', async (c) => {
    const tenant = c.req.param('tenant');
    const { session, login } = await viewer(c, tenant);
    if (login) return login;
    const view = await ops.mappingView(tenant);
    const lock = (await engine.states(tenant))['I.3'].lockReason;
    const open = view.filter((v) => !v.synced);
    return c.html(
      <Page
        title="I.3 Activities: create in ARCAD360 or use an existing service"
        session={session}
        tenant={tenant}
        flash={takeFlash(c)}
      >
        {lock && <p class="muted lock-reason">{lock}</p>}
        <p class="muted">
          Only activities of synchronised establishments are proposed. The existing services of each legal
          entity are listed.
        </p>
        <form method="post" action={`/console/tenants/${tenant}/activities`}>
          <table>
            <thead>
              <tr>
                <th>Activity</th>
                <th>Establishment</th>
                <th>In ARCAD360</th>
              </tr>
            </thead>
            <tbody>
              {open.map((v) => (
                <tr>
                  <td>
                    {v.name} <span class="muted">({v.activityId})</span>
                  </td>
                  <td>{v.establishmentId}</td>
                  <td>
                    <select name={`choice:${v.activityId}`} data-activity={v.activityId}>
                      <option value="">— not now —</option>
                      <option value="create" selected={v.choice?.choice === 'create'}>
                        Create in ARCAD360
                      </option>
                      {v.existingServices.map((s) => (
                        <option
                          value={`existing:${s.id}`}
                          selected={v.choice?.choice === 'existing' && v.choice.arcadServiceId === s.id}
                        >
                          Use existing service: {s.name}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="submit" disabled={open.length === 0 || Boolean(lock)}>
            Save and send
          </button>
        </form>
        <p class="muted">{view.length - open.length} activity(ies) already synchronised.</p>
      </Page>,
    );
  });

  app.post('/console/tenants/:tenant/activities', async (c) => {
    const tenant = c.req.param('tenant');
    const form = await c.req.parseBody();
    const choices = Object.entries(form).flatMap(([key, value]): MappingChoice[] => {
      if (!key.startsWith('choice:') || typeof value !== 'string' || value === '') return [];
      const activityId = key.slice('choice:'.length);
      return value === 'create'
        ? [{ activityId, choice: 'create' as const }]
        : [{ activityId, choice: 'existing' as const, arcadServiceId: value.replace(/^existing:/, '') }];
    });
    try {
      if (choices.length === 0) throw new AppError('BAD_REQUEST', 'choose at least one activity');
      await ops.saveMapping(tenant, choices, await sessions.get(c));
    } catch (error) {
      return failed(c, `/console/tenants/${tenant}/activities`, 'Activity choices not sent', error);
    }
    return done(
      c,
      `/console/tenants/${tenant}`,
      `${choices.length} activity choice(s) saved; I.3 started to send them`,
    );
  });

  app.get('/console/tenants/:tenant/errors', async (c) => {
    const tenant = c.req.param('tenant');
    const { session, login } = await viewer(c, tenant);
    if (login) return login;
    const flow = flowIds.find((f) => f === c.req.query('flow'));
    const entity = entityKinds.find((e) => e === c.req.query('entity'));
    const q = c.req.query('q')?.slice(0, 100) || undefined;
    const list = await ops.listErrors(tenant, { flow, entity, q, limit: 500 });
    return c.html(
      <Page title="Error manager" session={session} tenant={tenant} flash={takeFlash(c)}>
        <form method="get">
          <select name="flow">
            <option value="">all flows</option>
            {flowIds.map((f) => (
              <option value={f} selected={f === flow}>
                {f}
              </option>
            ))}
          </select>{' '}
          <select name="entity">
            <option value="">all entities</option>
            {entityKinds.map((e) => (
              <option value={e} selected={e === entity}>
                {e}
              </option>
            ))}
          </select>{' '}
          <input name="q" placeholder="LIVIA id or reason" value={q ?? ''} />{' '}
          <button type="submit">Filter</button>
        </form>
        <p>
          {list.total} unresolved error(s)
          {list.total > list.items.length ? ` (first ${list.items.length} shown)` : ''}
        </p>
        <form method="post" action={`/console/tenants/${tenant}/errors/retry`}>
          {flow && <input type="hidden" name="flow" value={flow} />}
          <table data-testid="errors">
            <thead>
              <tr>
                <th />
                <th>Flow</th>
                <th>Entity</th>
                <th>LIVIA id</th>
                <th>State</th>
                <th>Reason</th>
                <th>Attempts</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.items.map((e) => (
                <tr data-error={e.liviaId}>
                  <td>
                    <input type="checkbox" name="ids" value={String(e.id)} />
                  </td>
                  <td>{e.flow}</td>
                  <td>{e.entity}</td>
                  <td>{e.liviaId}</td>
                  <td>
                    <StatusBadge {...errorState(e)} />
                  </td>
                  <td>
                    {e.reason}
                    {e.retryable === false && <div class="muted">fix the data in LIVIA, then retry</div>}
                  </td>
                  <td>{e.attempts}</td>
                  <td>
                    <button type="submit" name="one" value={String(e.id)}>
                      Retry
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="submit" name="selection" value="selected">
            Retry selected
          </button>{' '}
          <button type="submit" name="all" value="true">
            Retry all{flow ? ` of ${flow}` : ''}
          </button>
        </form>
      </Page>,
    );
  });

  app.post('/console/tenants/:tenant/errors/retry', async (c) => {
    const tenant = c.req.param('tenant');
    const form = await c.req.parseBody({ all: true });
    const ids = (form.one ? [form.one] : [form.ids ?? []].flat())
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
    const flow = flowIds.find((f) => f === form.flow);
    const errorsPage = `/console/tenants/${tenant}/errors${flow ? `?flow=${flow}` : ''}`;
    try {
      const all = form.all === 'true' && !form.one;
      if (!all && ids.length === 0)
        throw new AppError('BAD_REQUEST', 'tick at least one error, or use "Retry all"');
      const runs = await ops.retry(tenant, { ids, all, flow }, await sessions.get(c));
      const started = runs.filter((r) => r.runId).map((r) => `${r.flow} (${r.entities})`);
      const refused = runs.filter((r) => r.refused).map((r) => `${r.flow}: ${r.refused}`);
      if (started.length === 0) throw new AppError('LOCKED', refused.join(' / '));
      return done(
        c,
        `/console/tenants/${tenant}`,
        `Retry started for ${started.join(', ')}${refused.length ? `; not retried: ${refused.join(' / ')}` : ''}`,
      );
    } catch (error) {
      return failed(c, errorsPage, 'Nothing retried', error);
    }
  });
}
