/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { AdminLayout, AppError, type ServiceApp, StatusBadge } from '@hip/shared';
import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { type FlowId, flowIds } from '../domain/flows.ts';
import { entityKinds } from '../domain/liviaEntities.ts';
import { type ArcadSession, flowRefusal } from '../domain/session.ts';
import type { FlowEngine, FlowState } from '../flows/engine.ts';
import type { MappingChoice, Operations } from '../operations.ts';
import { progressOf } from '../routes/api.ts';
import type { Sessions } from '../session.ts';

const SERVICE = 'arcad-sync';

function Page(props: {
  title: string;
  session: ArcadSession | null;
  tenant?: string;
  notice?: string | undefined;
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
    <AdminLayout service={SERVICE} title={props.title} nav={nav}>
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
      {props.notice && (
        <p class="badge error" role="alert">
          {props.notice}
        </p>
      )}
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

/** Live progress: the bar follows the run's server-sent events and reloads the page at the end. */
const progressScript = raw(`<script>
for (const el of document.querySelectorAll('[data-run]')) {
  const source = new EventSource(el.dataset.events);
  const bar = el.querySelector('progress'), text = el.querySelector('.progress-text');
  source.addEventListener('progress', (e) => {
    const p = JSON.parse(e.data);
    bar.value = p.percent; text.textContent = p.percent + '% (' + p.done + '/' + p.total + ', ' + p.errors + ' error(s))';
  });
  source.addEventListener('end', () => { source.close(); el.dataset.finished = 'true'; setTimeout(() => location.replace(location.pathname), 600); });
}
</script>`);

export function registerConsole(
  app: ServiceApp,
  deps: { ops: Operations; engine: FlowEngine; sessions: Sessions },
) {
  const { ops, engine, sessions } = deps;
  const notice = (c: Context) => c.req.query('error');
  /** Tenant pages need an ARCAD360 session of the tenant; without one, go and log in first. */
  const viewer = async (c: Context, tenant: string) => {
    const session = await sessions.get(c);
    if (!session)
      return {
        session,
        login: c.redirect(`/auth/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 302),
      };
    await ops.requireViewer(tenant, session);
    return { session, login: null };
  };
  const back = (c: Context, path: string, error?: unknown) => {
    if (error !== undefined && !(error instanceof AppError)) throw error;
    const detail = error instanceof AppError ? error.detail : undefined;
    return c.redirect(detail ? `${path}?error=${encodeURIComponent(detail)}` : path, 303);
  };

  app.get('/console', async (c) => {
    const session = await sessions.get(c);
    const tenants = session ? await ops.listTenants() : [];
    return c.html(
      <Page title="ARCAD360 interface" session={session} notice={notice(c)}>
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
                    <td>{t.activatedAt.toISOString()}</td>
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
    const session = await sessions.require(c);
    const form = await c.req.parseBody();
    const tenant = String(form.tenant ?? '');
    if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(tenant) || !/^[\w-]{1,60}$/.test(String(form.arcadTenant ?? '')))
      return back(
        c,
        '/console',
        new AppError(
          'BAD_REQUEST',
          'tenant: lower-case letters, digits and -; ARCAD tenant: letters, digits, _ and -',
        ),
      );
    try {
      await ops.activate(tenant, String(form.arcadTenant), session);
    } catch (error) {
      return back(c, '/console', error);
    }
    return c.redirect(`/console/tenants/${tenant}`, 303);
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
    const reports = new Map<FlowId, Awaited<ReturnType<Operations['flowErrors']>>>();
    for (const flow of flowIds)
      if (states[flow].lastRun && states[flow].unresolvedErrors > 0)
        reports.set(flow, await ops.flowErrors(tenant, flow, 10));
    return c.html(
      <Page
        title={`Tenant ${tenant} → ARCAD360 ${row.arcadTenant}`}
        session={session}
        tenant={tenant}
        notice={notice(c)}
      >
        <h2>Initialisation flows</h2>
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
                        <span class="progress-text">{progressOf(run).percent}%</span>
                      </div>
                    ) : run ? (
                      <div class="run-report">
                        {run.status}: {run.sent} sent, {run.errors} error(s), {run.skipped} held back
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
            <a href={`/tenants/${tenant}/credentials.csv`} data-testid="csv">
              Download the {pending} logins and temporary passwords (CSV, once: purged after download)
            </a>
          </p>
        )}
        {[...reports.entries()].map(([flow, errors]) => (
          <section class="error-report" data-flow={flow}>
            <h3>
              {flow}: {errors.total} error(s) to fix
            </h3>
            <table>
              <tbody>
                {errors.items.map((e) => (
                  <tr>
                    <td>{e.entity}</td>
                    <td>{e.liviaId}</td>
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

  app.post('/console/tenants/:tenant/flows/:flow/run', async (c) => {
    const tenant = c.req.param('tenant');
    const flow = c.req.param('flow') as FlowId;
    if (!flowIds.includes(flow)) throw new AppError('NOT_FOUND', `no flow ${flow}`);
    try {
      await ops.startFlow(tenant, flow, await sessions.get(c));
    } catch (error) {
      return back(c, `/console/tenants/${tenant}`, error);
    }
    return c.redirect(`/console/tenants/${tenant}`, 303);
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
        notice={notice(c)}
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
      return back(c, `/console/tenants/${tenant}/activities`, error);
    }
    return c.redirect(`/console/tenants/${tenant}`, 303);
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
      <Page title="Error manager" session={session} tenant={tenant} notice={notice(c)}>
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
    try {
      const runs = await ops.retry(
        tenant,
        { ids, all: form.all === 'true' && !form.one, flow },
        await sessions.get(c),
      );
      const refused = runs.filter((r) => r.refused).map((r) => `${r.flow}: ${r.refused}`);
      if (refused.length)
        return back(c, `/console/tenants/${tenant}`, new AppError('LOCKED', refused.join(' / ')));
    } catch (error) {
      return back(c, `/console/tenants/${tenant}/errors`, error);
    }
    return c.redirect(`/console/tenants/${tenant}`, 303);
  });
}
