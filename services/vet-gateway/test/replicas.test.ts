import type { VetVisitsImported } from '@hip/shared/schemas';
import { describeWithServers, freshDatabase, testBus, waitFor } from '@hip/shared/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeVisits } from '../sim/catalogue.ts';
import { type RunningVetelevageSimulator, startVetelevageSimulator } from '../sim/server.ts';
import { visits } from '../src/db/schema.ts';
import { collect, type Gateway, randomKey, startGateway, uniqueId } from './helpers.ts';

describeWithServers(['postgres'], 'two replicas on one Postgres', () => {
  let sim: RunningVetelevageSimulator;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let bus: Awaited<ReturnType<typeof testBus>>;
  let a: Gateway;
  let b: Gateway;

  beforeAll(async () => {
    sim = await startVetelevageSimulator({ batchSize: 4 });
    database = await freshDatabase();
    bus = await testBus();
    const key = randomKey();
    const env = (replica: string) => ({
      VET_SECRETS_KEY: key,
      VET_REPLICA_ID: replica,
      VET_IMPORT_INTERVAL_MS: '150',
    });
    a = await startGateway({ sim, database, bus, env: env('replica-a') });
    b = await startGateway({ sim, database, bus, env: env('replica-b') });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await sim.close();
    await bus.close();
    await database.drop();
  });

  it('imports an account on one replica at a time: the other answers 409 while the lease is held', async () => {
    const id = uniqueId('acc');
    sim.sim.addAccount(id, { login: id, password: 'pw' });
    sim.sim.addVisits(id, makeVisits(id, 8, { seed: id }));
    await a.json('PUT', `/accounts/${id}`, { mode: 'veterinaire', login: id, password: 'pw' });
    sim.sim.setDelay(300);
    try {
      const [ra, rb] = await Promise.all([a.importNow(id), b.importNow(id)]);
      const statuses = [ra.status, rb.status].sort();
      const busy = ra.status === 409 ? ra : rb;
      // The scheduler may have started it first: then both on-demand calls find it busy.
      expect(statuses[1]).toBe(409);
      expect(busy.body.detail).toBe(`account:${id} is being imported by another replica; try again shortly`);
    } finally {
      sim.sim.setDelay(0);
    }
    await waitFor(() => sim.sim.remaining(id) === 0, { timeoutMs: 20_000, what: 'import finished' });
    expect(sim.sim.stats.maxInFlightVisits.get(id)).toBe(1);
  });

  it('on its schedule, shares accounts between replicas without overlap and imports each visit once', async () => {
    const ids = [uniqueId('acc'), uniqueId('acc'), uniqueId('acc')];
    const events = await collect<VetVisitsImported>(bus, 'vet.*.visits.imported');
    for (const id of ids) {
      sim.sim.addAccount(id, { login: id, password: 'pw' });
      sim.sim.addVisits(id, makeVisits(id, 10, { seed: id }));
      await b.json('PUT', `/accounts/${id}`, { mode: 'veterinaire', login: id, password: 'pw' });
    }
    await waitFor(() => ids.every((id) => sim.sim.remaining(id) === 0), {
      timeoutMs: 30_000,
      what: 'scheduled imports',
    });
    for (const id of ids) expect(sim.sim.stats.maxInFlightVisits.get(id)).toBe(1);
    const rows = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(visits)
      .where(
        sql`${visits.account} in (${sql.join(
          ids.map((i) => sql`${i}`),
          sql`, `,
        )})`,
      );
    expect(rows[0]?.n).toBe(30);
    const ours = () =>
      events.seen
        .filter((e) => ids.includes(e.data.account))
        .flatMap((e) => e.data.visits.map((v) => v.visitId));
    await waitFor(() => ours().length >= 30, { what: 'events' });
    await new Promise((r) => setTimeout(r, 300));
    expect(ours()).toHaveLength(30);
    expect(new Set(ours()).size).toBe(30);
    await events.stop();
  });
});
