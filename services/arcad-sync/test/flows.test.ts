import { ARCAD_SUBJECTS, ArcadFlowFinishedSchema } from '@hip/shared/schemas';
import { waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityMappings } from '../src/db/schema.ts';
import { withInsKey } from '../src/domain/ins.ts';
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

describe('initialisation flows against the ARCAD360 simulator', () => {
  let sim: Simulator;
  let svc: Service;
  let expert: string;

  beforeAll(async () => {
    sim = await startSimulator();
    svc = await startService(sim);
    expert = await loginThroughArcad(svc, 'expert');
  });
  afterAll(async () => {
    await svc?.stop();
    await sim?.stop();
  });

  it('I.1 sends users with 99999/LIVIA defaults, business profile, empty e-mail and a temporary password', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    await push(svc, tenant, {
      users: [
        {
          id: 'u1',
          login: `jd${tenant}`,
          lastName: 'Dupont',
          firstName: 'Jeanne',
          email: 'j@example.org',
          postcode: '',
          city: '',
        },
        {
          id: 'u2',
          login: `pm${tenant}`,
          lastName: 'Martin',
          firstName: 'Paul',
          postcode: '25000',
          city: 'Besançon',
        },
      ],
    });
    const report = await runFlow(svc, expert, tenant, 'I.1');
    expect(report).toMatchObject({ status: 'done', total: 2, sent: 2, errors: 0 });
    const users = sim.sim.rows('livia25', 'users').filter((u) => String(u.login).endsWith(tenant));
    const jeanne = users.find((u) => u.externalId === 'u1');
    expect(jeanne).toMatchObject({
      postcode: '99999',
      city: 'LIVIA',
      email: '',
      profile: 'AUTRE_UTILISATEUR_METIER',
      mustChangePassword: true,
    });
    expect(users.find((u) => u.externalId === 'u2')).toMatchObject({ postcode: '25000', city: 'Besançon' });
  });

  it('I.1 CSV of logins and temporary passwords is given once to the privileged admin, then purged', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const login = `csv${tenant}`;
    await push(svc, tenant, {
      users: [{ id: 'u1', login, lastName: 'A', firstName: 'B', postcode: '', city: '' }],
    });
    await runFlow(svc, expert, tenant, 'I.1');
    const agent = await loginThroughArcad(svc, 'agent');
    expect(
      (await svc.request(`/tenants/${tenant}/credentials.csv`, { headers: { cookie: agent } })).status,
    ).toBe(403);
    const consolePage = async () =>
      (await svc.request(`/console/tenants/${tenant}`, { headers: { cookie: expert } })).text();
    expect(await consolePage()).toMatch(
      /data-testid="csv"[^>]*>Download the 1 logins and temporary passwords/,
    );
    const first = await svc.request(`/tenants/${tenant}/credentials.csv`, { headers: { cookie: expert } });
    expect(first.status).toBe(200);
    const csv = await first.text();
    const [, row] = csv.trim().split('\n');
    expect(row?.split(',')[0]).toBe(login);
    // The password in the CSV is the one ARCAD received.
    expect(row?.split(',')[1]).toBe(sim.sim.passwordOf(login));
    const second = await svc.request(`/tenants/${tenant}/credentials.csv`, { headers: { cookie: expert } });
    expect(second.status).toBe(410);
    expect(await consolePage()).not.toMatch(/data-testid="csv"/);
  });

  it('I.2 then I.3: activities of synchronised establishments only, created or mapped to an existing service', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    await push(svc, tenant, {
      establishments: [{ id: 'e1', name: 'Résidence Les Tilleuls', postcode: '', city: '' }],
      activities: [
        { id: 'a1', establishmentId: 'e1', name: 'EHPAD', code: 'EH' },
        { id: 'a2', establishmentId: 'e1', name: 'Accueil de jour', code: 'AJ' },
        { id: 'a3', establishmentId: 'e-unknown', name: 'SSIAD', code: 'SS' },
      ],
    });
    expect((await startFlow(svc, expert, tenant, 'I.3')).status).toBe(423);
    expect((await runFlow(svc, expert, tenant, 'I.2')).sent).toBe(1);
    const legalEntity = sim.sim
      .rows('livia25', 'legal-entities')
      .find((e) => e.name === 'Résidence Les Tilleuls' && e.externalId === 'e1');
    // An establishment without address gets the same defaults as users (ARCAD requires both).
    expect(legalEntity).toMatchObject({ postcode: '99999', city: 'LIVIA' });
    const existing = sim.sim.seedService('livia25', String(legalEntity?.id), 'EHPAD historique');
    const view = (await (
      await svc.request(`/tenants/${tenant}/activities/mapping`, { headers: { cookie: expert } })
    ).json()) as {
      activityId: string;
      existingServices: { id: string }[];
    }[];
    expect(view.map((v) => v.activityId)).toEqual(['a1', 'a2']);
    expect(view[0]?.existingServices.map((s) => s.id)).toContain(existing);
    const before = sim.sim.counters('livia25').services;
    const saved = await svc.request(`/tenants/${tenant}/activities/mapping`, {
      method: 'PUT',
      headers: { cookie: expert, 'content-type': 'application/json' },
      body: JSON.stringify({
        choices: [
          { activityId: 'a1', choice: 'existing', arcadServiceId: existing },
          { activityId: 'a2', choice: 'create' },
        ],
      }),
    });
    expect(saved.status).toBe(202);
    const { runId } = (await saved.json()) as { runId: string };
    const report = await waitForRun(svc, tenant, runId, expert);
    expect(report).toMatchObject({ sent: 2, errors: 0 });
    expect(sim.sim.counters('livia25').services - before).toBe(1);
    const errors = await (
      await svc.request(`/tenants/${tenant}/errors`, { headers: { cookie: expert } })
    ).json();
    expect(errors.total).toBe(0);
  });

  it('I.3 parks, not retryable, a mapping to a service no longer under its legal entity: choose again', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    await push(svc, tenant, {
      establishments: [{ id: 'e1', name: 'Résidence Les Ormes', postcode: '', city: '' }],
      activities: [{ id: 'a1', establishmentId: 'e1', name: 'EHPAD', code: 'EH' }],
    });
    await runFlow(svc, expert, tenant, 'I.2');
    // Saved when the service existed; ARCAD moved or deleted it since.
    await svc.database.db.insert(activityMappings).values({
      tenant,
      activityId: 'a1',
      choice: 'existing',
      arcadServiceId: 'S-gone',
      savedBy: 'expert',
    });
    expect(await runFlow(svc, expert, tenant, 'I.3')).toMatchObject({ sent: 0, errors: 1 });
    const errors = await (
      await svc.request(`/tenants/${tenant}/errors?flow=I.3`, { headers: { cookie: expert } })
    ).json();
    expect(errors.items).toEqual([
      expect.objectContaining({
        liviaId: 'a1',
        reason: expect.stringMatching(/S-gone is not a service of legal entity .*choose again/),
        retryable: false,
      }),
    ]);
  });

  it('I.4 creates clients inactive and never sends deceased residents', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    await push(svc, tenant, {
      residents: [
        {
          id: `r1${tenant}`,
          lastName: 'Vivant',
          firstName: 'Paul',
          birthDate: '1930-01-01',
          sex: 'M',
          postcode: '',
          city: '',
          deceased: false,
        },
        {
          id: `r2${tenant}`,
          lastName: 'Défunt',
          firstName: 'Léon',
          birthDate: '1920-01-01',
          sex: 'M',
          postcode: '62000',
          city: 'Arras',
          deceased: true,
        },
        {
          id: `r3${tenant}`,
          lastName: 'Défunte',
          firstName: 'Zoé',
          birthDate: '1921-01-01',
          sex: 'F',
          postcode: '62000',
          city: 'Arras',
          deceased: false,
          deathDate: '2024-01-02',
        },
      ],
    });
    const finished: unknown[] = [];
    const subscription = await svc.bus.subscribe({
      subject: ARCAD_SUBJECTS.flowFinished(tenant),
      durable: `test-${tenant}`,
      handler: async (m) => {
        finished.push(ArcadFlowFinishedSchema.parse(m.json()));
      },
    });
    const report = await runFlow(svc, expert, tenant, 'I.4');
    expect(report).toMatchObject({ sent: 1, skipped: 2, skippedReasons: { 'deceased: never sent': 2 } });
    // LIVIA hears of the finished run through the bus.
    await waitFor(() => finished.length === 1, { what: 'flow finished event' });
    await subscription.stop();
    expect(finished[0]).toMatchObject({
      tenant,
      flow: 'I.4',
      runId: report.id,
      status: 'done',
      sent: 1,
      unresolvedErrors: 0,
    });
    // The progress stream of a finished run gives its last counters, then the report.
    const events = await (
      await svc.request(`/tenants/${tenant}/runs/${report.id}/events`, { headers: { cookie: expert } })
    ).text();
    expect(events).toMatch(
      /event: progress\ndata: \{"total":1,"done":1,"sent":1,"errors":0,"status":"done","percent":100\}/,
    );
    expect(events).toMatch(/event: end/);
    const clients = sim.sim.rows('livia25', 'clients').filter((c) => String(c.externalId).endsWith(tenant));
    expect(clients).toHaveLength(1);
    expect(clients[0]).toMatchObject({ active: false, postcode: '99999', city: 'LIVIA' });
  });

  it("I.4 carries a resident's INS to ARCAD, and a batch with a malformed INS is refused naming it", async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    const resident = {
      id: `ins${tenant}`,
      lastName: 'Qualifié',
      firstName: 'Anne',
      birthDate: '1940-03-07',
      sex: 'F',
      postcode: '62000',
      city: 'Arras',
    };
    const ins = { matricule: withInsKey('2400362041012'), status: 'QUAL' };
    const bad = await svc.request(`/tenants/${tenant}/livia/residents`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${LIVIA_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [{ ...resident, ins: { ...ins, matricule: `${ins.matricule.slice(0, 13)}00` } }],
      }),
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('/items/0/ins/matricule');
    await push(svc, tenant, { residents: [{ ...resident, deceased: false, ins } as never] });
    expect(await runFlow(svc, expert, tenant, 'I.4')).toMatchObject({ sent: 1 });
    const [client] = sim.sim.rows('livia25', 'clients').filter((c) => c.externalId === resident.id);
    expect(client).toMatchObject({ ins });
  });

  it('I.5 sends only records whose activity and resident are synchronised', async () => {
    const tenant = uniqueTenant();
    await activate(svc, expert, tenant);
    await push(svc, tenant, {
      establishments: [{ id: 'e1', name: 'E', postcode: '25000', city: 'Besançon' }],
      activities: [{ id: 'a1', establishmentId: 'e1', name: 'EHPAD', code: '' }],
      residents: [
        {
          id: 'r1',
          lastName: 'A',
          firstName: 'B',
          birthDate: '1930-01-01',
          sex: 'F',
          postcode: '',
          city: '',
          deceased: false,
        },
        {
          id: 'r2',
          lastName: 'C',
          firstName: 'D',
          birthDate: '1930-01-01',
          sex: 'F',
          postcode: '',
          city: '',
          deceased: true,
        },
      ],
      records: [
        { id: 'd1', residentId: 'r1', activityId: 'a1' },
        { id: 'd2', residentId: 'r2', activityId: 'a1' },
      ],
    });
    expect(await (await startFlow(svc, expert, tenant, 'I.5')).json()).toMatchObject({
      detail: 'I.5 locked: I.3 (Activities) has not run yet; I.4 (Resident identities) has not run yet',
    });
    await runFlow(svc, expert, tenant, 'I.2');
    const mapped = await svc.request(`/tenants/${tenant}/activities/mapping`, {
      method: 'PUT',
      headers: { cookie: expert, 'content-type': 'application/json' },
      body: JSON.stringify({ choices: [{ activityId: 'a1', choice: 'create' }] }),
    });
    await waitForRun(svc, tenant, ((await mapped.json()) as { runId: string }).runId, expert);
    // Records wait for residents too.
    expect((await startFlow(svc, expert, tenant, 'I.5')).status).toBe(423);
    await runFlow(svc, expert, tenant, 'I.4');
    const report = await runFlow(svc, expert, tenant, 'I.5');
    expect(report).toMatchObject({
      sent: 1,
      skipped: 1,
      skippedReasons: { 'resident not synchronised': 1 },
    });
    const records = sim.sim
      .rows('livia25', 'records')
      .filter((r) => r.externalId === 'd1' || r.externalId === 'd2');
    expect(records.map((r) => r.externalId)).toContain('d1');
    expect(records.map((r) => r.externalId)).not.toContain('d2');
  });
});
