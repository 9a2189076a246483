/**
 * Live reception throughput: ARCAD360 stay / discharge / absence messages per second, from the
 * signed webhook to the change applied and its event for LIVIA committed (verification, JetStream,
 * dedupe, per-client ordering under its lock, rules, outbox), next to raw JetStream consumption
 * (publish + durable consumer that only acknowledges) of the same messages, in the same run.
 *
 * BENCH_MESSAGES (default 3000) messages over BENCH_MESSAGES/3 clients: admission, HOSPI
 * absence, discharge for each. Real NATS and Postgres when NATS_URL / DATABASE_URL are set.
 */
import { openDatabase } from '@hip/shared/node';
import { type BenchFigure, freshDatabase, printComparison, waitFor } from '@hip/shared/testing';
import { and, eq, ne, sql } from 'drizzle-orm';
import { sync, tenants } from '../src/db/schema.ts';
import type { ArcadEvent } from '../src/live/messages.ts';
import { liveMessages } from '../src/live/schema.ts';
import { signWebhook } from '../src/live/signature.ts';
import { ARCAD_TENANT, startService, startSimulator } from '../test/harness.ts';

const total = Number(process.env.BENCH_MESSAGES ?? '3000');
const senders = Number(process.env.BENCH_CONCURRENCY ?? '16');
const clients = Math.max(1, Math.floor(total / 3));
const SECRET = 'bench-webhook-secret-0123456789';
const tenant = 'bench';

const sim = await startSimulator();
const fresh = await freshDatabase();
// The production pool size (10), not the test helper's 5.
const database = fresh.url ? await openDatabase({ url: fresh.url, maxConnections: 10 }) : fresh;
const svc = await startService(sim, { database, env: { ARCAD_WEBHOOK_SECRET: SECRET } });
const db = database.db;

await db.insert(tenants).values({ tenant, arcadTenant: ARCAD_TENANT, activatedBy: 'bench' });
await db
  .insert(sync)
  .values({ tenant, entity: 'activity', liviaId: 'A1', arcadId: 'SVC1', status: 'synced' });
for (let i = 0; i < clients; i += 1000)
  await db.insert(sync).values(
    Array.from({ length: Math.min(1000, clients - i) }, (_, k) => ({
      tenant,
      entity: 'resident',
      liviaId: `R${i + k}`,
      arcadId: `CL${i + k}`,
      status: 'synced' as const,
    })),
  );

const now = new Date().toISOString();
const events: ArcadEvent[] = [];
for (let c = 0; c < clients; c++) {
  const common = { tenant: ARCAD_TENANT, clientId: `CL${c}`, occurredAt: now };
  events.push(
    {
      ...common,
      id: `B${c}-1`,
      sequence: 1,
      type: 'stay.created',
      data: { stayId: `ST${c}`, serviceId: 'SVC1', startDate: '2024-01-01', endDate: null },
    },
    {
      ...common,
      id: `B${c}-2`,
      sequence: 2,
      type: 'absence.created',
      data: {
        absenceId: `AB${c}`,
        serviceId: 'SVC1',
        type: 'HOSPI',
        startDate: '2024-02-01',
        endDate: '2024-02-05',
      },
    },
    {
      ...common,
      id: `B${c}-3`,
      sequence: 3,
      type: 'stay.discharged',
      data: { stayId: `ST${c}`, serviceId: 'SVC1', endDate: '2024-03-01' },
    },
  );
}
const bodies = await Promise.all(
  events.map(async (e) => {
    const body = JSON.stringify(e);
    return { body, signature: await signWebhook(SECRET, body) };
  }),
);

/** Runs `work` over the items with `senders` in flight. */
async function pool<T>(items: T[], work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

// Ours: webhook -> bus -> applied.
const started = performance.now();
await pool(bodies, async ({ body, signature }) => {
  const res = await svc.request(`/webhooks/arcad360/${tenant}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'arcad-signature': signature },
    body,
  });
  if (res.status !== 202) throw new Error(`webhook refused: ${res.status} ${await res.text()}`);
});
const receivedSeconds = (performance.now() - started) / 1000;
await waitFor(
  async () => {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(liveMessages)
      .where(and(eq(liveMessages.tenant, tenant), ne(liveMessages.status, 'pending')));
    return Number(row?.n) === events.length;
  },
  { what: `${events.length} messages applied`, timeoutMs: 600_000, intervalMs: 25 },
);
const oursSeconds = (performance.now() - started) / 1000;
const [failed] = await db
  .select({ n: sql<number>`count(*)::int` })
  .from(liveMessages)
  .where(and(eq(liveMessages.tenant, tenant), ne(liveMessages.status, 'applied')));

// Raw: the same messages published to JetStream and consumed by a durable that only acknowledges.
let consumed = 0;
const rawStarted = performance.now();
const sub = await svc.bus.subscribe({
  subject: 'benchraw.>',
  durable: 'bench-raw',
  concurrency: 16,
  handler: async () => {
    consumed++;
  },
});
await pool(events, async (e) => {
  await svc.bus.publish(`benchraw.${tenant}.received`, { tenant, event: e }, { msgId: `raw:${e.id}` });
});
await waitFor(() => consumed >= events.length, {
  what: 'raw consumption',
  timeoutMs: 600_000,
  intervalMs: 5,
});
const rawSeconds = (performance.now() - rawStarted) / 1000;
await sub.stop();

const ours: BenchFigure = {
  label: 'arcad-sync webhook -> applied',
  rate: events.length / oursSeconds,
  unit: 'msg/s',
  extra: {
    'all received after s': receivedSeconds.toFixed(1),
    messages: events.length,
    clients,
    'not applied': Number(failed?.n ?? 0),
    bus: svc.bus.kind,
    db: database.kind,
  },
};
const raw: BenchFigure = {
  label: 'raw JetStream publish -> ack',
  rate: events.length / rawSeconds,
  unit: 'msg/s',
};
printComparison('Live reception: stay / absence / discharge messages applied end to end', ours, raw);

await svc.stop();
await sim.stop();
if (database !== fresh) await database.close();
await fresh.drop();
process.exit(0);
