import { spawn } from 'node:child_process';
import type { VetVisitsImported } from '@hip/shared/schemas';
import { describeWithServers, freePort, freshDatabase, testBus, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningVetelevageSimulator, startVetelevageSimulator } from '../sim/server.ts';
import type { ImportStep } from '../src/import/importer.ts';
import { collect, type Gateway, randomKey, startGateway, visitIdsOf } from './helpers.ts';

// The import process is killed (SIGKILL) between each pair of steps; another replica on the same
// database and bus takes over once the lease expires. Nothing may be lost or billed twice.

const fixture = new URL('./fixtures/crash-at-step.ts', import.meta.url).pathname;
const serviceDir = new URL('..', import.meta.url).pathname;

describeWithServers(['postgres', 'nats'], 'import killed at each step', () => {
  let sim: RunningVetelevageSimulator;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let bus: Awaited<ReturnType<typeof testBus>>;
  let survivor: Gateway;
  const key = randomKey();

  beforeAll(async () => {
    sim = await startVetelevageSimulator({ batchSize: 5 });
    database = await freshDatabase();
    bus = await testBus();
    survivor = await startGateway({
      sim,
      database,
      bus,
      env: { VET_SECRETS_KEY: key, VET_REPLICA_ID: 'survivor', VET_IMPORT_LEASE_MS: '1000' },
    });
  });
  afterAll(async () => {
    await survivor?.stop();
    await sim?.close();
    await bus?.close();
    await database?.drop();
  });

  /** A replica that imports `account` on demand and is killed at `step`. */
  async function importUntilKilled(account: string, step: ImportStep) {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: serviceDir,
      env: {
        ...process.env,
        PORT: String(port),
        DATABASE_URL: database.url ?? '',
        NATS_NAMESPACE: bus.namespace ?? '',
        VETELEVAGE_URL: sim.url,
        VET_SECRETS_KEY: key,
        VET_REPLICA_ID: 'killed',
        VET_IMPORT_INTERVAL_MS: '0',
        VET_IMPORT_LEASE_MS: '1000',
        VET_OUTBOX_RELAY: 'false',
        VET_CRASH_AT: step,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_c, s) => resolve(s)));
    try {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok,
        { timeoutMs: 60_000, intervalMs: 200, what: `replica to start\n${output.slice(-2000)}` },
      );
      // The answer never comes: the process dies during the import.
      await fetch(`http://127.0.0.1:${port}/accounts/${account}/import`, { method: 'POST' }).catch(
        () => undefined,
      );
      expect(await exited).toBe('SIGKILL');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  const steps: ImportStep[] = ['afterGet', 'afterCommit', 'afterPublish', 'beforeDelete'];
  it.each(steps)('a replica killed at %s loses nothing and bills nothing twice', async (step) => {
    const { id, visits } = await survivor.vetAccount(8); // two batches: 5 + 3
    const events = await collect<VetVisitsImported>(bus, `vet.${id}.visits.imported`);
    await importUntilKilled(id, step);
    expect(sim.sim.remaining(id)).toBe(8); // nothing acknowledged before the kill

    // Once the dead replica's lease expires, the survivor imports the same frozen batch.
    const done = await waitFor(
      async () => {
        const res = await survivor.importNow(id);
        return res.status === 200 ? res.body : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'the lease of the killed replica to expire' },
    );
    expect(done).toMatchObject({ status: 'ok', visitsSeen: 8 });
    expect(sim.sim.remaining(id)).toBe(0);
    const ids = () => events.seen.flatMap((e) => e.data.visits.map((v) => v.visitId)).sort();
    await waitFor(() => ids().length >= 8, { what: 'every visit published' });
    // Give a duplicate a chance to show up before asserting there is none.
    await new Promise((r) => setTimeout(r, 300));
    expect(ids()).toEqual(visitIdsOf(visits));
    const stored = await survivor.json('GET', `/accounts/${id}/visits?limit=100`);
    expect(stored.body.visits.map((v: { visitId: string }) => v.visitId).sort()).toEqual(visitIdsOf(visits));
    await events.stop();
  });
});
