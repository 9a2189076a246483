import { waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activate,
  loginThroughArcad,
  push,
  runFlow,
  type Service,
  type Simulator,
  startFlow,
  startService,
  startSimulator,
  uniqueTenant,
  waitForRun,
} from './harness.ts';

const residents = (tenant: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `r${i + 1}-${tenant}`,
    lastName: 'Martin',
    firstName: `N${i + 1}`,
    birthDate: '1938-02-03',
    sex: 'F' as const,
    postcode: '35000',
    city: 'Rennes',
    deceased: false,
  }));

interface FlowStateBody {
  flow: string;
  running: boolean;
  inFlight: number;
  unresolvedErrors: number;
  totals: { runs: number; retryRuns: number; sent: number; sentByRetries: number; failures: number };
}

describe('console: in-flight work, totals across retries, actions ending with a message', () => {
  let sim: Simulator;
  let svc: Service;
  let expert: string;

  beforeAll(async () => {
    sim = await startSimulator();
    // Creations are held at the simulator's gate while the test reads the page: on a loaded
    // machine that takes longer than the harness's short ARCAD timeout, which would turn the
    // held requests into failures the test is not about.
    svc = await startService(sim, { env: { ARCAD_TIMEOUT_MS: '120000' } });
    expert = await loginThroughArcad(svc, 'expert');
  });
  afterAll(async () => {
    await svc?.stop();
    await sim?.stop();
  });

  const flowState = async (tenant: string, flow: string) => {
    const res = await svc.request(`/tenants/${tenant}/flows`, { headers: { cookie: expert } });
    return ((await res.json()) as FlowStateBody[]).find((f) => f.flow === flow) as FlowStateBody;
  };
  const page = async (path: string, cookie = expert) =>
    (await svc.request(path, { headers: { cookie } })).text();
  /** Posts a console form and opens the page it redirects to, with the message it left. */
  const submit = async (path: string, form: Record<string, string> = {}) => {
    const res = await svc.request(path, {
      method: 'POST',
      headers: { cookie: expert, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    expect(res.status).toBe(303);
    const flash = res.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .find((pair) => pair?.startsWith('flash='));
    const location = res.headers.get('location') as string;
    return { location, html: await page(location, `${expert}; ${flash}`) };
  };

  it('shows the rows of a running flow as in flight, not as errors of unknown outcome', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    await push(svc, tenant, { residents: residents(tenant, 6) });
    const gate = sim.sim.holdCreations();
    try {
      const res = await startFlow(svc, expert, tenant, 'I.4');
      const { runId } = (await res.json()) as { runId: string };
      await waitFor(() => gate.waiting() > 0, { what: 'a creation held at the ARCAD360 gate' });

      expect(await flowState(tenant, 'I.4')).toMatchObject({
        running: true,
        inFlight: 6,
        unresolvedErrors: 0,
      });
      const errors = (await (
        await svc.request(`/tenants/${tenant}/errors`, { headers: { cookie: expert } })
      ).json()) as { total: number };
      expect(errors.total).toBe(0);
      const html = await page(`/console/tenants/${tenant}`);
      expect(html).toContain('6 being sent now');
      expect(html).not.toMatch(/outcome unknown|error\(s\) to fix/);

      gate.release();
      expect(await waitForRun(svc, tenant, runId, expert)).toMatchObject({
        status: 'done',
        sent: 6,
        errors: 0,
      });
      expect(await flowState(tenant, 'I.4')).toMatchObject({
        running: false,
        inFlight: 0,
        unresolvedErrors: 0,
      });
    } finally {
      gate.release();
    }
  });

  it('keeps a flow totals across its initial run and its retries', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const mine = residents(tenant, 5);
    await push(svc, tenant, { residents: mine });
    for (const r of mine.slice(0, 2))
      sim.sim.addFault({ collection: 'clients', externalId: r.id, mode: 'error5xx', times: 1 });
    expect(await runFlow(svc, expert, tenant, 'I.4')).toMatchObject({ sent: 3, errors: 2 });

    const { html } = await submit(`/console/tenants/${tenant}/errors/retry`, { all: 'true', flow: 'I.4' });
    expect(html).toMatch(/Retry started for I\.4 \(2\)/);
    await waitFor(async () => !(await flowState(tenant, 'I.4')).running, { what: 'the retry run to end' });

    expect((await flowState(tenant, 'I.4')).totals).toEqual({
      runs: 2,
      retryRuns: 1,
      sent: 5,
      sentByRetries: 2,
      failures: 2,
      heldBack: 0,
    });
    expect(await page(`/console/tenants/${tenant}`)).toMatch(
      /5 sent in 2 run\(s\), 2 of them by 1 retry run\(s\).*2 failed attempt\(s\), 0 still to fix/s,
    );
  });

  it('ends every console action on the page with a message saying what happened, errors included', async () => {
    const tenant = uniqueTenant();
    const badName = await submit('/console/activate', { tenant: 'Not A Name', arcadTenant: 'livia25' });
    expect(badName.location).toBe('/console');
    expect(badName.html).toMatch(
      /role="alert"[^>]*>Tenant Not A Name not activated: LIVIA tenant: lower-case letters/,
    );
    const otherTenant = await submit('/console/activate', { tenant, arcadTenant: 'livia52' });
    expect(otherTenant.html).toMatch(
      /role="alert"[^>]*>Tenant \S+ not activated: the ARCAD360 account belongs to tenant/,
    );

    const activated = await submit('/console/activate', { tenant, arcadTenant: 'livia25' });
    expect(activated.location).toBe(`/console/tenants/${tenant}`);
    expect(activated.html).toMatch(/role="status"[^>]*>Tenant \S+ activated with ARCAD360 tenant livia25/);

    const locked = await submit(`/console/tenants/${tenant}/flows/I.5/run`);
    expect(locked.html).toMatch(/role="alert"[^>]*>I\.5 not started: I\.5 locked: .*has not run yet/);

    const started = await submit(`/console/tenants/${tenant}/flows/I.1/run`);
    expect(started.html).toMatch(/role="status"[^>]*>I\.1 started/);

    const nothing = await submit(`/console/tenants/${tenant}/errors/retry`, {});
    expect(nothing.location).toBe(`/console/tenants/${tenant}/errors`);
    expect(nothing.html).toMatch(/role="alert"[^>]*>Nothing retried: tick at least one error/);

    const mapping = await submit(`/console/tenants/${tenant}/activities`, {});
    expect(mapping.html).toMatch(/role="alert"[^>]*>Activity choices not sent: choose at least one activity/);

    // Timestamps read in Paris time with their offset, never as an ISO string.
    const consolePage = await page('/console');
    expect(consolePage).toMatch(
      /<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d<\/time>/,
    );
    expect(consolePage).not.toMatch(/>\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  it('hands the CSV over from the console once, then says why there is none instead of a problem document', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    await push(svc, tenant, {
      users: [{ id: 'u1', login: `csv${tenant}`, lastName: 'A', firstName: 'B', postcode: '', city: '' }],
    });
    await runFlow(svc, expert, tenant, 'I.1');
    const first = await svc.request(`/console/tenants/${tenant}/credentials.csv`, {
      headers: { cookie: expert },
    });
    expect(first.status).toBe(200);
    expect(await first.text()).toMatch(new RegExp(`^login,temporary_password\ncsv${tenant},`));
    const second = await svc.request(`/console/tenants/${tenant}/credentials.csv`, {
      headers: { cookie: expert },
    });
    expect(second.status).toBe(303);
    expect(second.headers.get('location')).toBe(`/console/tenants/${tenant}`);
    const flash = decodeURIComponent(second.headers.get('set-cookie') ?? '');
    expect(flash).toMatch(/No CSV: no temporary password to hand over: the CSV was already downloaded/);
  });

  it('sends a session of another ARCAD tenant back to the console with the reason, not to a problem document', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const orphan = await loginThroughArcad(svc, 'orphan');
    const res = await svc.request(`/console/tenants/${tenant}`, { headers: { cookie: orphan } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/console');
    // The message travels URI-encoded in a cookie that is itself URI-encoded.
    const flash = decodeURIComponent(res.headers.get('set-cookie') ?? '');
    expect(flash).toMatch(/Tenant \S+ cannot be shown: the ARCAD360 account belongs to tenant \\"livia52\\"/);
  });
});
