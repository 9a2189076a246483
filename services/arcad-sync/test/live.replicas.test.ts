import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  deleteNamespace,
  describeWithServers,
  freePort,
  freshDatabase,
  serverUrl,
  uniqueDomain,
  waitFor,
} from '@hip/shared/testing';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { outbox, sync, tenants } from '../src/db/schema.ts';
import { liveMessages } from '../src/live/schema.ts';
import { ARCAD_TENANT, LIVIA_TOKEN, type Simulator, startSimulator } from './harness.ts';

const SECRET = 'arcad-webhook-secret-for-replicas';
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CLIENTS = 25;
const UPDATES = 3;

/** One replica: the service's own entry point (`src/main.ts`) in a separate Node process. */
async function startReplica(env: Record<string, string>) {
  const port = await freePort();
  const child: ChildProcess = spawn(`${PACKAGE_DIR}node_modules/.bin/tsx`, ['src/main.ts'], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`replica exited: ${stderr.slice(-2000)}`);
      return (await fetch(`${url}/readyz`).catch(() => null))?.ok ?? false;
    },
    { what: `replica on port ${port} ready`, timeoutMs: 60_000, intervalMs: 200 },
  );
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

describeWithServers(['nats', 'postgres'], 'two replicas of arcad-sync consuming the same tenant', () => {
  let sim: Simulator;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const namespace = uniqueDomain('replicas');
  const replicas: Awaited<ReturnType<typeof startReplica>>[] = [];
  const tenant = 'replicas';

  beforeAll(async () => {
    sim = await startSimulator();
    database = await freshDatabase();
    const env = {
      ...sim.env,
      PUBLIC_URL: 'http://replicas.test',
      SESSION_SECRET: 'replica-session-secret-0123456789',
      LIVIA_API_TOKEN: LIVIA_TOKEN,
      ARCAD_WEBHOOK_SECRET: SECRET,
      DATABASE_URL: database.url as string,
      NATS_URL: serverUrl('nats') as string,
      NATS_NAMESPACE: namespace,
    };
    // One after the other: the first applies the migrations.
    replicas.push(await startReplica(env));
    replicas.push(await startReplica(env));
  }, 150_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await database?.drop();
    await deleteNamespace(serverUrl('nats') as string, namespace);
    await sim?.stop();
  });

  it("applies each client's messages once and in order, each message on one replica only", async () => {
    const db = database.db;
    await db.insert(tenants).values({ tenant, arcadTenant: ARCAD_TENANT, activatedBy: 'test' });
    await db
      .insert(sync)
      .values({ tenant, entity: 'activity', liviaId: 'A1', arcadId: 'SVC1', status: 'synced' });
    const live = sim.sim.live;
    const clients: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const clientId = live.createClient(ARCAD_TENANT, {
        lastName: `REPLICA${i}`,
        firstName: 'Ana',
        birthDate: '1940-02-02',
      });
      clients.push(clientId);
      await db
        .insert(sync)
        .values({ tenant, entity: 'resident', liviaId: `R${i}`, arcadId: clientId, status: 'synced' });
    }
    // Every event goes to BOTH replicas (two subscriptions), concurrently: duplicates and disorder.
    for (const r of replicas)
      live.subscribe(ARCAD_TENANT, { url: `${r.url}/webhooks/arcad360/${tenant}`, secret: SECRET });
    live.setDeliveryConcurrency(16);
    const sequenceOf = new Map<string, number>();
    for (const clientId of clients) {
      const { stayId, event } = live.admit(ARCAD_TENANT, {
        clientId,
        serviceId: 'SVC1',
        startDate: '2021-01-01',
      });
      sequenceOf.set(event.id, event.sequence);
      for (let u = 1; u <= UPDATES; u++) {
        const e = live.updateStay(ARCAD_TENANT, stayId, { startDate: `2021-01-0${u + 1}` });
        sequenceOf.set(e.id, e.sequence);
      }
      const end = live.discharge(ARCAD_TENANT, stayId, '2021-03-01');
      sequenceOf.set(end.id, end.sequence);
    }
    await live.flush();
    expect(live.deliveries().every((d) => d.status >= 200 && d.status < 300)).toBe(true);
    const total = CLIENTS * (UPDATES + 2);
    const rows = await waitFor(
      async () => {
        const all = await db.select().from(liveMessages).where(eq(liveMessages.tenant, tenant));
        return all.length === total && all.every((m) => m.status !== 'pending') ? all : null;
      },
      { what: `${total} messages applied`, timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(rows.every((m) => m.status === 'applied' && m.attempts === 1)).toBe(true);
    // Both replicas took part, none applied a message the other applied.
    expect(new Set(rows.map((m) => m.processedBy)).size).toBe(2);

    const events = await waitFor(
      async () => {
        const all = await db.select().from(outbox).orderBy(asc(outbox.id));
        return all.length >= total ? all : null;
      },
      { what: 'events for LIVIA' },
    );
    expect(events).toHaveLength(total);
    const applied = new Map<string, number[]>();
    for (const e of events) {
      const payload = e.payload as { arcadMessageId: string; stay: { residentId: string } };
      const list = applied.get(payload.stay.residentId) ?? [];
      list.push(sequenceOf.get(payload.arcadMessageId) as number);
      applied.set(payload.stay.residentId, list);
    }
    const expected = Array.from({ length: UPDATES + 2 }, (_, i) => i + 1);
    for (const [, sequences] of applied) expect(sequences).toEqual(expected);
    expect(applied.size).toBe(CLIENTS);
  });
});
