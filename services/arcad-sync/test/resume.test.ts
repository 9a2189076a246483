import { freshDatabase, waitFor } from '@hip/shared/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLiviaTenant } from '../sim/livia.ts';
import { createArcadApi } from '../src/adapters/arcad.ts';
import { flowRuns, sync } from '../src/db/schema.ts';
import { arcadClientOf } from '../src/domain/payloads.ts';
import {
  activate,
  loginThroughArcad,
  push,
  runFlow,
  type Simulator,
  startFlow,
  startService,
  startSimulator,
  uniqueTenant,
} from './harness.ts';

describe('resumable flows', () => {
  let sim: Simulator;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    sim = await startSimulator({ latencyMs: 15 });
    database = await freshDatabase();
  });
  afterAll(async () => {
    await sim?.stop();
    await database?.drop();
  });

  it('a run stopped mid-flow resumes on another instance, sending only the rest and creating nothing twice', async () => {
    const tenant = uniqueTenant();
    const data = generateLiviaTenant(
      { users: 0, establishments: 0, activities: 0, residents: 60, records: 0, contacts: 0 },
      7,
    );
    // Unique external ids: the simulator's tenant is shared with other tests of this file.
    const residents = data.residents.map((r) => ({ ...r, id: `${r.id}-${tenant}` }));
    const alive = residents.filter((r) => !r.deceased && !r.deathDate).length;
    const first = await startService(sim, { database });
    const expert = await loginThroughArcad(first, 'expert');
    await activate(first, expert, tenant);
    await push(first, tenant, { residents });
    const before = sim.sim.counters('livia25').clients;
    expect((await startFlow(first, expert, tenant, 'I.4')).status).toBe(202);
    await waitFor(() => sim.sim.counters('livia25').clients - before >= 10, { what: 'ten clients created' });
    await first.stop();
    const createdBeforeStop = sim.sim.counters('livia25').clients - before;
    expect(createdBeforeStop).toBeLessThan(alive);

    const second = await startService(sim, { database });
    try {
      const flows = (await (
        await second.request(`/tenants/${tenant}/flows`, { headers: { cookie: expert } })
      ).json()) as {
        flow: string;
        lastRun: { status: string };
      }[];
      expect(flows.find((f) => f.flow === 'I.4')?.lastRun.status).toBe('interrupted');
      const report = await runFlow(second, expert, tenant, 'I.4');
      expect(report).toMatchObject({ status: 'done', errors: 0, total: alive - createdBeforeStop });
      expect(sim.sim.counters('livia25').clients - before).toBe(alive);
      const externalIds = sim.sim
        .rows('livia25', 'clients')
        .map((c) => c.externalId)
        .filter((id) => String(id).endsWith(tenant));
      expect(new Set(externalIds).size).toBe(externalIds.length);
    } finally {
      await second.stop();
    }
  });

  it('a run left "running" by a crashed process stops locking its flow once its heartbeat is stale', async () => {
    const tenant = uniqueTenant();
    const svc = await startService(sim, { database });
    try {
      const expert = await loginThroughArcad(svc, 'expert');
      await activate(svc, expert, tenant);
      // What a killed process leaves behind: a running run whose heartbeat stopped a minute ago.
      const deadRun = crypto.randomUUID();
      await svc.database.db.insert(flowRuns).values({
        id: deadRun,
        tenant,
        flow: 'I.2',
        mode: 'full',
        status: 'running',
        startedBy: 'crashed',
        heartbeatAt: new Date(Date.now() - 60_000),
      });
      // Shown as interrupted, and its progress stream ends instead of waiting forever.
      const dead = await svc.request(`/tenants/${tenant}/runs/${deadRun}`, { headers: { cookie: expert } });
      expect(await dead.json()).toMatchObject({ status: 'interrupted' });
      const stream = await (
        await svc.request(`/tenants/${tenant}/runs/${deadRun}/events`, { headers: { cookie: expert } })
      ).text();
      expect(stream).toMatch(/event: end\ndata: \{[^\n]*"status":"interrupted"/);
      const report = await runFlow(svc, expert, tenant, 'I.2');
      expect(report.status).toBe('done');
      const flows = (await (
        await svc.request(`/tenants/${tenant}/flows`, { headers: { cookie: expert } })
      ).json()) as {
        flow: string;
        running: boolean;
      }[];
      expect(flows.find((f) => f.flow === 'I.2')?.running).toBe(false);
    } finally {
      await svc.stop();
    }
  });

  it('a process killed mid-chunk left rows "sending": the re-run adopts what ARCAD created and creates the rest once', async () => {
    const tenant = uniqueTenant();
    const svc = await startService(sim, { database });
    try {
      const expert = await loginThroughArcad(svc, 'expert');
      await activate(svc, expert, tenant);
      const residents = [1, 2, 3, 4].map((i) => ({
        id: `k${i}-${tenant}`,
        lastName: 'Kill',
        firstName: `N${i}`,
        birthDate: '1940-01-01',
        sex: 'F' as const,
        postcode: '25000',
        city: 'Besançon',
        deceased: false,
      }));
      await push(svc, tenant, { residents });
      // What the killed process left: the whole chunk marked "sending" (attempt 1), ARCAD having
      // created the first two before the process died, no outcome recorded, the run "running".
      const arcad = createArcadApi({ baseUrl: sim.url, apiToken: sim.env.ARCAD_API_TOKEN, timeoutMs: 2000 });
      for (const r of residents.slice(0, 2)) await arcad.createClient('livia25', arcadClientOf(r));
      await svc.database.db.insert(sync).values(
        residents.map((r) => ({
          tenant,
          entity: 'resident',
          liviaId: r.id,
          status: 'sending' as const,
          attempts: 1,
        })),
      );
      await svc.database.db.insert(flowRuns).values({
        id: crypto.randomUUID(),
        tenant,
        flow: 'I.4',
        mode: 'full',
        status: 'running',
        startedBy: 'killed',
        heartbeatAt: new Date(Date.now() - 60_000),
      });
      // Unknown outcomes are unresolved: shown in the error manager, and they lock the children.
      const unknown = (await (
        await svc.request(`/tenants/${tenant}/errors?flow=I.4`, { headers: { cookie: expert } })
      ).json()) as { total: number; items: { reason: string }[] };
      expect(unknown.total).toBe(4);
      expect(unknown.items[0]?.reason).toMatch(/outcome unknown/);
      const before = sim.sim.counters('livia25').clients;
      const report = await runFlow(svc, expert, tenant, 'I.4');
      expect(report).toMatchObject({ status: 'done', sent: 4, errors: 0 });
      expect(sim.sim.counters('livia25').clients - before).toBe(2);
      const clients = sim.sim.rows('livia25', 'clients').filter((c) => String(c.externalId).endsWith(tenant));
      expect(clients.map((c) => c.externalId).sort()).toEqual(residents.map((r) => r.id).sort());
      // The synchronisation table: each row with its ARCAD id, attempts, payload hash and times.
      const rows = await svc.database.db.select().from(sync).where(eq(sync.tenant, tenant));
      const arcadIdOf = new Map(clients.map((c) => [c.externalId, c.id]));
      for (const row of rows)
        expect(row).toMatchObject({
          entity: 'resident',
          status: 'synced',
          arcadId: arcadIdOf.get(row.liviaId),
          attempts: 2,
          lastError: null,
          payloadHash: expect.stringMatching(/^[0-9a-f]{64}$/),
          syncedAt: expect.any(Date),
        });
      expect(rows).toHaveLength(4);
    } finally {
      await svc.stop();
    }
  });
});
