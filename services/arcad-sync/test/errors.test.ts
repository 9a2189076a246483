import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArcadApi } from '../src/adapters/arcad.ts';
import { liviaEntities, tenants } from '../src/db/schema.ts';
import { arcadUserOf } from '../src/domain/payloads.ts';
import {
  activate,
  LIVIA_TOKEN,
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

const resident = (id: string) => ({
  id,
  lastName: 'Durand',
  firstName: 'Odette',
  birthDate: '1932-05-06',
  sex: 'F' as const,
  postcode: '29200',
  city: 'Brest',
  deceased: false,
});

interface ErrorList {
  total: number;
  items: { id: number; flow: string; entity: string; liviaId: string; reason: string; retryable: boolean }[];
}

describe('error paths, error manager and retries', () => {
  let sim: Simulator;
  let svc: Service;
  let expert: string;

  beforeAll(async () => {
    sim = await startSimulator();
    svc = await startService(sim, { env: { ARCAD_TIMEOUT_MS: '400' } });
    expert = await loginThroughArcad(svc, 'expert');
  });
  afterAll(async () => {
    await svc?.stop();
    await sim?.stop();
  });

  const errors = async (tenant: string, query = '') =>
    (await (
      await svc.request(`/tenants/${tenant}/errors${query}`, { headers: { cookie: expert } })
    ).json()) as ErrorList;
  const retry = async (tenant: string, body: unknown, cookie = expert) => {
    const res = await svc.request(`/tenants/${tenant}/errors/retry`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as {
        runs: { flow: string; runId: string | null; refused: string | null }[];
      },
    };
  };

  it('records rejected fields, 5xx and timeouts with their reason, and locks the children until resolved', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const ids = [`a${tenant}`, `b${tenant}`, `c${tenant}`, `d${tenant}`];
    await push(svc, tenant, { residents: ids.map(resident) });
    sim.sim.addFault({ collection: 'clients', externalId: ids[0], mode: 'reject', field: 'birthDate' });
    sim.sim.addFault({ collection: 'clients', externalId: ids[1], mode: 'error5xx' });
    sim.sim.addFault({
      collection: 'clients',
      externalId: ids[2],
      mode: 'timeout',
      delayMs: 1500,
      times: 1,
    });
    const report = await runFlow(svc, expert, tenant, 'I.4');
    expect(report).toMatchObject({ sent: 1, errors: 3 });
    const list = await errors(tenant);
    const reason = (id: string) => list.items.find((e) => e.liviaId === id);
    expect(reason(ids[0] as string)).toMatchObject({
      reason: expect.stringMatching(/rejected field birthDate/),
      retryable: false,
    });
    expect(reason(ids[1] as string)).toMatchObject({
      reason: expect.stringMatching(/HTTP 500/),
      retryable: true,
    });
    expect(reason(ids[2] as string)).toMatchObject({
      reason: expect.stringMatching(/no answer within 400 ms/),
      retryable: true,
    });
    // The end-of-flow report carries the same list.
    expect(report.errorList.map((e) => e.liviaId).sort()).toEqual(ids.slice(0, 3).sort());

    const locked = await startFlow(svc, expert, tenant, 'I.6');
    expect(locked.status).toBe(423);
    expect((await locked.json()).detail).toMatch(/I\.4 has 3 unresolved error/);
    const flows = (await (
      await svc.request(`/tenants/${tenant}/flows`, { headers: { cookie: expert } })
    ).json()) as {
      flow: string;
      lockReason: string | null;
    }[];
    expect(flows.find((f) => f.flow === 'I.7')?.lockReason).toMatch(/I\.4 has 3 unresolved/);

    sim.sim.clearFaults();
    const one = await retry(tenant, { ids: [reason(ids[0] as string)?.id] });
    expect(one.status).toBe(202);
    await waitForRun(svc, tenant, one.body.runs[0]?.runId as string, expert);
    expect((await errors(tenant)).total).toBe(2);
    // A selection: only the chosen rows are sent again.
    const selection = await retry(tenant, {
      ids: [reason(ids[1] as string)?.id, reason(ids[2] as string)?.id],
    });
    const selected = await waitForRun(svc, tenant, selection.body.runs[0]?.runId as string, expert);
    expect(selected).toMatchObject({ mode: 'retry', total: 2, sent: 2, errors: 0 });
    expect((await errors(tenant)).total).toBe(0);
    expect((await startFlow(svc, expert, tenant, 'I.6')).status).toBe(202);
  });

  it('never creates twice in ARCAD when an answer was lost: the retry adopts what ARCAD created', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const ids = Array.from({ length: 6 }, (_, i) => `r${i}${tenant}`);
    await push(svc, tenant, { residents: ids.map(resident) });
    for (const id of ids.slice(0, 2))
      sim.sim.addFault({ collection: 'clients', externalId: id, mode: 'lose-response', times: 1 });
    const before = sim.sim.counters('livia25').clients;
    const report = await runFlow(svc, expert, tenant, 'I.4');
    expect(report).toMatchObject({ sent: 4, errors: 2 });
    expect(sim.sim.counters('livia25').clients - before).toBe(6);
    const { body } = await retry(tenant, { all: true, flow: 'I.4' });
    const again = await waitForRun(svc, tenant, body.runs[0]?.runId as string, expert);
    expect(again).toMatchObject({ sent: 2, errors: 0 });
    expect(sim.sim.counters('livia25').clients - before).toBe(6);
    // A full re-run sends nothing: everything is synchronised.
    expect(await runFlow(svc, expert, tenant, 'I.4')).toMatchObject({ total: 0, sent: 0 });
    expect(sim.sim.counters('livia25').clients - before).toBe(6);
  });

  it('filters the error manager by flow, entity and text, and offers it for contacts too', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    await push(svc, tenant, {
      residents: [resident(`x${tenant}`)],
      familyContacts: [
        {
          id: `f1${tenant}`,
          residentId: `x${tenant}`,
          lastName: 'Fille',
          firstName: 'A',
          relationship: 'fille',
        },
        {
          id: `f2${tenant}`,
          residentId: `x${tenant}`,
          lastName: 'Fils',
          firstName: 'B',
          relationship: 'fils',
        },
      ],
    });
    await runFlow(svc, expert, tenant, 'I.4');
    sim.sim.addFault({
      collection: 'personal-circle',
      externalId: `f2${tenant}`,
      mode: 'reject',
      field: 'relationship',
      times: 1,
    });
    expect(await runFlow(svc, expert, tenant, 'I.6')).toMatchObject({ sent: 1, errors: 1 });
    expect((await errors(tenant, '?flow=I.6')).items.map((e) => e.liviaId)).toEqual([`f2${tenant}`]);
    expect((await errors(tenant, '?entity=family_contact&q=relationship')).total).toBe(1);
    expect((await errors(tenant, '?flow=I.4')).total).toBe(0);
    // The text is matched literally: `_` is not a wildcard.
    expect((await errors(tenant, `?q=${encodeURIComponent(`f_${tenant}`)}`)).total).toBe(0);
    expect((await errors(tenant, `?q=${encodeURIComponent(`f2${tenant}`)}`)).total).toBe(1);
    const { body } = await retry(tenant, { all: true, flow: 'I.6' });
    await waitForRun(svc, tenant, body.runs[0]?.runId as string, expert);
    expect((await errors(tenant)).total).toBe(0);
  });

  it('I.6 sends each family contact and its link to the client in one request', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    await push(svc, tenant, {
      residents: [resident(`y${tenant}`)],
      familyContacts: [
        {
          id: `g1${tenant}`,
          residentId: `y${tenant}`,
          lastName: 'Totuo',
          firstName: 'Toutotu',
          relationship: 'gendre',
          phone: '0600000000',
        },
        {
          id: `g2${tenant}`,
          residentId: `y${tenant}`,
          lastName: 'Totuo',
          firstName: 'Toutotu',
          relationship: 'gendre',
        },
      ],
    });
    await runFlow(svc, expert, tenant, 'I.4');
    const before = sim.sim.counters('livia25');
    expect(await runFlow(svc, expert, tenant, 'I.6')).toMatchObject({ sent: 2 });
    const after = sim.sim.counters('livia25');
    expect(after['personal-circle'] - before['personal-circle']).toBe(2);
    expect(after.partners - before.partners).toBe(0);
    const client = sim.sim.rows('livia25', 'clients').find((c) => c.externalId === `y${tenant}`);
    const circle = sim.sim
      .rows('livia25', 'personal-circle')
      .filter((p) => String(p.externalId).endsWith(tenant));
    // Two identical contacts are two distinct persons, each linked to the client.
    expect(new Set(circle.map((p) => p.personId)).size).toBe(2);
    expect(
      circle.every(
        (p) => p.clientId === client?.id && (p.person as { lastName: string }).lastName === 'Totuo',
      ),
    ).toBe(true);
  });

  it('I.7 creates an intervenant shared by several residents once and links it in separate requests', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const residents = [1, 2, 3].map((i) => resident(`z${i}${tenant}`));
    await push(svc, tenant, {
      residents,
      intervenants: [
        {
          id: `i1${tenant}`,
          lastName: 'Robbie',
          firstName: 'Michel',
          profession: 'Danse-thérapeute',
          residentIds: residents.map((r) => r.id),
        },
      ],
    });
    await runFlow(svc, expert, tenant, 'I.4');
    const before = sim.sim.counters('livia25');
    const report = await runFlow(svc, expert, tenant, 'I.7');
    expect(report).toMatchObject({ total: 4, sent: 4, errors: 0 });
    const after = sim.sim.counters('livia25');
    expect(after.partners - before.partners).toBe(1);
    expect(after['professional-circle'] - before['professional-circle']).toBe(3);
    expect(await runFlow(svc, expert, tenant, 'I.7')).toMatchObject({ total: 0 });
    expect(sim.sim.counters('livia25').partners - before.partners).toBe(1);
  });

  it('I.7 links a resident named twice by an intervenant once, even from data stored before deduplication', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const r = resident(`y1${tenant}`);
    const intervenant = { id: `i2${tenant}`, lastName: 'Orto', firstName: '', profession: 'Orthophoniste' };
    await push(svc, tenant, {
      residents: [r],
      intervenants: [{ ...intervenant, residentIds: [r.id, r.id] }],
    });
    // A row stored before the schema deduplicated: planned twice, it must still be sent once.
    await svc.database.db.insert(liviaEntities).values({
      tenant,
      entity: 'intervenant',
      liviaId: `i3${tenant}`,
      data: { ...intervenant, id: `i3${tenant}`, residentIds: [r.id, r.id] },
    });
    await runFlow(svc, expert, tenant, 'I.4');
    const before = sim.sim.counters('livia25');
    expect(await runFlow(svc, expert, tenant, 'I.7')).toMatchObject({
      status: 'done',
      sent: 4,
      errors: 0,
      interruptedReason: null,
    });
    const after = sim.sim.counters('livia25');
    expect(after.partners - before.partners).toBe(2);
    expect(after['professional-circle'] - before['professional-circle']).toBe(2);
  });

  it('saves why a run was interrupted and shows it in the run report and the console', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    // Damaged stored data makes the planning itself fail.
    await svc.database.db.insert(liviaEntities).values({
      tenant,
      entity: 'intervenant',
      liviaId: `bad${tenant}`,
      data: { id: `bad${tenant}`, lastName: 'X', profession: 'Y', residentIds: 5 },
    });
    await runFlow(svc, expert, tenant, 'I.4');
    const report = await runFlow(svc, expert, tenant, 'I.7');
    expect(report).toMatchObject({
      status: 'interrupted',
      interruptedReason: expect.stringMatching(/^the run failed: .*not iterable/),
    });
    const page = await (
      await svc.request(`/console/tenants/${tenant}`, { headers: { cookie: expert } })
    ).text();
    expect(page).toMatch(/class="interrupted-reason">the run failed: .*not iterable/);
  });

  it('parks a user ARCAD refuses (login taken) with the reason; fixed in LIVIA and pushed again, the retry sends the fix', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const taken = `taken${tenant}`;
    const arcad = createArcadApi({ baseUrl: sim.url, apiToken: sim.env.ARCAD_API_TOKEN, timeoutMs: 2000 });
    await arcad.createUser(
      'livia25',
      arcadUserOf({ id: 'x', login: taken, lastName: 'X', firstName: 'Y', postcode: '', city: '' }, ''),
    );
    const user = { id: 'u1', login: taken, lastName: 'Durand', firstName: 'Luc', postcode: '', city: '' };
    await push(svc, tenant, { users: [user] });
    expect(await runFlow(svc, expert, tenant, 'I.1')).toMatchObject({ sent: 0, errors: 1 });
    const [parked] = (await errors(tenant, '?flow=I.1')).items;
    expect(parked).toMatchObject({
      liviaId: 'u1',
      reason: expect.stringMatching(/HTTP 409: login .* already exists/),
      retryable: false,
    });
    // Retrying unchanged data fails again, for the same reason: nothing is lost or hidden.
    const same = await retry(tenant, { ids: [parked?.id] });
    expect(await waitForRun(svc, tenant, same.body.runs[0]?.runId as string, expert)).toMatchObject({
      errors: 1,
    });
    await push(svc, tenant, { users: [{ ...user, login: `fixed${tenant}` }] });
    const fixed = await retry(tenant, { ids: [parked?.id] });
    expect(await waitForRun(svc, tenant, fixed.body.runs[0]?.runId as string, expert)).toMatchObject({
      sent: 1,
    });
    expect((await errors(tenant)).total).toBe(0);
    const csv = await (
      await svc.request(`/tenants/${tenant}/credentials.csv`, { headers: { cookie: expert } })
    ).text();
    expect(csv.trim().split('\n')[1]).toBe(`fixed${tenant},${sim.sim.passwordOf(`fixed${tenant}`)}`);
  });

  it('I.7: retrying a partner that failed also sends the links that waited for it', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const residents = [1, 2, 3].map((i) => resident(`w${i}${tenant}`));
    await push(svc, tenant, {
      residents,
      intervenants: [
        {
          id: `p1${tenant}`,
          lastName: 'Kiné',
          firstName: 'Paul',
          profession: 'Masseur-kinésithérapeute',
          residentIds: residents.map((r) => r.id),
        },
      ],
    });
    await runFlow(svc, expert, tenant, 'I.4');
    sim.sim.addFault({ collection: 'partners', externalId: `p1${tenant}`, mode: 'error5xx', times: 1 });
    const before = sim.sim.counters('livia25');
    expect(await runFlow(svc, expert, tenant, 'I.7')).toMatchObject({
      sent: 0,
      errors: 1,
      skippedReasons: { 'intervenant not synchronised': 3 },
    });
    const { body } = await retry(tenant, {
      ids: (await errors(tenant, '?flow=I.7')).items.map((e) => e.id),
    });
    expect(await waitForRun(svc, tenant, body.runs[0]?.runId as string, expert)).toMatchObject({
      sent: 4,
      errors: 0,
    });
    const after = sim.sim.counters('livia25');
    expect(after.partners - before.partners).toBe(1);
    expect(after['professional-circle'] - before['professional-circle']).toBe(3);
  });

  it('re-sends the same temporary password when a user creation answer was lost, so the CSV matches ARCAD', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const login = `lost${tenant}`;
    await push(svc, tenant, {
      users: [{ id: 'u1', login, lastName: 'A', firstName: 'B', postcode: '', city: '' }],
    });
    sim.sim.addFault({ collection: 'users', externalId: 'u1', mode: 'lose-response', times: 1 });
    expect(await runFlow(svc, expert, tenant, 'I.1')).toMatchObject({ errors: 1 });
    const { body } = await retry(tenant, { all: true });
    expect(await waitForRun(svc, tenant, body.runs[0]?.runId as string, expert)).toMatchObject({ sent: 1 });
    const csv = await (
      await svc.request(`/tenants/${tenant}/credentials.csv`, { headers: { cookie: expert } })
    ).text();
    expect(csv.trim().split('\n')[1]).toBe(`${login},${sim.sim.passwordOf(login)}`);
  });

  it('activates only by an expert of a tenant ARCAD360 holds, and for good: re-activation elsewhere is refused', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    await activate(svc, expert, tenant);
    // Even an expert of another ARCAD tenant cannot take it over: its ids would no longer match.
    const orphan = await loginThroughArcad(svc, 'orphan');
    const res = await svc.request(`/tenants/${tenant}/activation`, {
      method: 'PUT',
      headers: { cookie: orphan, 'content-type': 'application/json' },
      body: JSON.stringify({ arcadTenant: 'livia52' }),
    });
    expect(res.status).toBe(409);
    const activation = (cookie: string, arcadTenant: string) =>
      svc.request(`/tenants/${uniqueTenant()}/activation`, {
        method: 'PUT',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ arcadTenant }),
      });
    // Only a privileged account of the ARCAD tenant being linked may activate.
    const byAgent = await activation(await loginThroughArcad(svc, 'agent'), 'livia25');
    expect(byAgent.status).toBe(403);
    expect((await byAgent.json()).detail).toMatch(/not privileged \(expert\): activation refused/);
    const elsewhere = await activation(expert, 'livia99');
    expect(elsewhere.status).toBe(403);
    expect((await elsewhere.json()).detail).toMatch(/belongs to tenant "livia25", not "livia99"/);
    // A tenant ARCAD360's API does not hold (mistyped, or another environment) is refused too.
    const unknown = await activation(orphan, 'livia52');
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).detail).toMatch(/ARCAD360 has no tenant "livia52"/);
    const anonymous = await svc.request(`/tenants/${uniqueTenant()}/activation`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ arcadTenant: 'livia25' }),
    });
    expect(anonymous.status).toBe(401);
  });

  it('refuses flows and retries unless the session is a privileged account of the tenant', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const agent = await loginThroughArcad(svc, 'agent');
    const refused = await startFlow(svc, agent, tenant, 'I.1');
    expect(refused.status).toBe(403);
    expect((await refused.json()).detail).toMatch(/not privileged \(expert\)/);
    expect((await startFlow(svc, '', tenant, 'I.1')).status).toBe(401);
    expect((await retry(tenant, { all: true }, agent)).status).toBe(403);
    // The console shows an ordinary account why it may only watch, with the run buttons off.
    const page = await (
      await svc.request(`/console/tenants/${tenant}`, { headers: { cookie: agent } })
    ).text();
    expect(page).toMatch(/Read only: the ARCAD360 account &quot;Alice Agent&quot; is not privileged/);
    expect(page).toMatch(/<button type="submit" disabled="">Run I\.1<\/button>/);
    const asExpert = await (
      await svc.request(`/console/tenants/${tenant}`, { headers: { cookie: expert } })
    ).text();
    expect(asExpert).not.toMatch(/Read only/);
    expect(asExpert).toMatch(/<button type="submit">Run I\.1<\/button>/);
    // A LIVIA tenant linked to another ARCAD360 tenant (by an expert of that one).
    const other = uniqueTenant();
    await svc.database.db
      .insert(tenants)
      .values({ tenant: other, arcadTenant: 'another-arcad-tenant', activatedBy: 'someone' });
    const wrongTenant = await startFlow(svc, expert, other, 'I.1');
    expect(wrongTenant.status).toBe(403);
    expect((await wrongTenant.json()).detail).toMatch(/belongs to tenant "livia25"/);
    // Reading a tenant's errors also needs a session of its ARCAD tenant.
    expect((await svc.request(`/tenants/${other}/errors`, { headers: { cookie: expert } })).status).toBe(403);
    expect((await svc.request(`/tenants/${tenant}/errors`)).status).toBe(401);
    expect((await svc.request(`/tenants/${tenant}/errors`, { headers: { cookie: agent } })).status).toBe(200);
  });

  it('refuses a LIVIA batch naming each bad field, and a batch without the LIVIA token', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const bad = await svc.request(`/tenants/${tenant}/livia/residents`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${LIVIA_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [resident('ok1'), { ...resident('ko1'), birthDate: '12/03/1930', sex: 'X' }],
      }),
    });
    expect(bad.status).toBe(400);
    const problem = await bad.json();
    expect(problem.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/items/1/birthDate',
      '/items/1/sex',
    ]);
    const anonymous = await svc.request(`/tenants/${tenant}/livia/residents`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [resident('ok1')] }),
    });
    expect(anonymous.status).toBe(401);
    const notActivated = await svc.request('/tenants/never-activated/livia/residents', {
      method: 'PUT',
      headers: { authorization: `Bearer ${LIVIA_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [resident('ok1')] }),
    });
    expect(notActivated.status).toBe(404);
  });

  it('refuses a LIVIA batch repeating an id, naming the repeat and the first', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const res = await svc.request(`/tenants/${tenant}/livia/residents`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${LIVIA_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [resident('d1'), resident('d2'), resident('d1')] }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([
      expect.objectContaining({ path: '/items/2/id', message: 'duplicate of /items/0' }),
    ]);
  });
});
