// Bridge A -> Hub simulator -> bridge B -> RC-REF back to A, next to raw amqplib confirm-publishing
// the same bodies, on the local RabbitMQ in the same run. BENCH_N sets the size (default 300).
import { randomUUID } from 'node:crypto';
import { silentLogger } from '@hip/shared';
import { HUB_SUBJECTS, type HubAcknowledged } from '@hip/shared/schemas';
import { percentiles, printComparison, serverUrl, startServiceForTest, waitFor } from '@hip/shared/testing';
import amqp from 'amqplib';
import { startHubSimulator } from '../sim/hub-simulator.ts';
import { urlForVhost } from '../src/adapters/amqp-connection.ts';
import { officialValidator } from '../src/adapters/schemas.ts';
import { buildMessage } from '../src/domain/envelope.ts';
import { typeByName } from '../src/domain/message-types.ts';
import { hubBridge } from '../src/service.ts';
import { officialExamples } from '../test/fixtures.ts';
import { createTestVhost } from '../test/rabbitmq.ts';

const N = Number(globalThis.process.env.BENCH_N ?? 300);
const WINDOW = 32;
const amqpUrl = serverUrl('rabbitmq');
if (!amqpUrl) {
  process.stderr.write('bench needs AMQP_URL (e.g. amqp://guest:guest@127.0.0.1:5672)\n');
  process.exit(1);
}
const A = 'fr.health.samua';
const B = 'fr.health.samub';
const content = officialExamples().find((e) => e.type === 'RS-EDA' && e.format === 'json')?.content;

/** Runs `task(i)` for i < n with at most `window` in flight. */
async function windowed(n: number, window: number, task: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: window }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

const vhost = await createTestVhost();
const sim = await startHubSimulator({
  url: amqpUrl,
  vhost: vhost.vhost,
  clients: [A, B, 'fr.health.bench'],
  messageTtlMs: 600_000,
  validator: officialValidator(),
  logger: silentLogger,
});
const env = (id: string) => ({
  HUB_AMQP_URL: amqpUrl,
  HUB_AUTH: 'plain',
  HUB_CLIENT_ID: id,
  HUB_VHOSTS: vhost.vhost,
  HUB_PREFETCH: globalThis.process.env.HUB_PREFETCH ?? '20',
});
const a = await startServiceForTest(hubBridge, { env: env(A) });
const b = await startServiceForTest(hubBridge, { env: env(B) });
await waitFor(async () => (await (await a.request('/readyz')).json()).status === 'ready', {
  timeoutMs: 30_000,
});
await waitFor(async () => (await (await b.request('/readyz')).json()).status === 'ready', {
  timeoutMs: 30_000,
});

// Ours: an LRM request on hub.outbound at A (validate, trace, publish with confirm), through the
// simulator to B (validate, hub.inbound, RC-REF), until A publishes hub.trace.acknowledged.
const started = new Map<string, number>();
const latencies: number[] = [];
const ackedIds = new Map<string, string>(); // distributionId -> reference
const inboundAt = new Map<string, number>(); // distributionId -> time on hub.inbound at B
let done = 0;
await a.bus.subscribe({
  subject: HUB_SUBJECTS.acknowledged,
  durable: 'bench-acks',
  concurrency: 64,
  handler: async (m) => {
    const ack = m.json<HubAcknowledged>();
    const t = ack.reference ? started.get(ack.reference) : undefined;
    if (t !== undefined && ack.reference) {
      latencies.push(performance.now() - t);
      ackedIds.set(ack.distributionId, ack.reference);
      done++;
    }
  },
});
await b.bus.subscribe({
  subject: HUB_SUBJECTS.inbound('RS-EDA'),
  durable: 'bench-inbound',
  concurrency: 64,
  handler: async (m) => {
    inboundAt.set(m.json<{ distributionId: string }>().distributionId, performance.now());
  },
});
const run = randomUUID().slice(0, 8);
// One at a time first: the round trip of a lone message, without queueing behind the others.
const SOLO = 20;
for (let i = 0; i < SOLO; i++) {
  const reference = `solo-${run}-${i}`;
  started.set(reference, performance.now());
  await a.bus.publish(
    HUB_SUBJECTS.outbound,
    { recipient: B, type: 'RS-EDA', content, reference },
    { msgId: reference },
  );
  await waitFor(() => done > i, { timeoutMs: 30_000, intervalMs: 2, what: 'the RC-REF of a lone message' });
}
const solo = percentiles(latencies.splice(0));
ackedIds.clear();
done = 0;
const t0 = performance.now();
await windowed(N, WINDOW, async (i) => {
  const reference = `bench-${run}-${i}`;
  started.set(reference, performance.now());
  await a.bus.publish(
    HUB_SUBJECTS.outbound,
    { recipient: B, type: 'RS-EDA', content, reference },
    { msgId: reference },
  );
});
await waitFor(() => done >= N, { timeoutMs: 300_000, intervalMs: 20, what: 'every RC-REF back' });
const oursSeconds = (performance.now() - t0) / 1000;
const toInbound = [...ackedIds].map(
  ([id, reference]) => (inboundAt.get(id) ?? Number.NaN) - (started.get(reference) ?? 0),
);

// Baseline: raw amqplib publishing the same bodies with confirms, same window, same broker.
const bodies = Array.from({ length: N }, () =>
  JSON.stringify(
    buildMessage({
      senderId: A,
      recipientId: B,
      type: typeByName('RS-EDA') as NonNullable<ReturnType<typeof typeByName>>,
      content,
      now: new Date(),
      uniqueId: randomUUID(),
      ttlMs: 60_000,
    }),
  ),
);
const connection = await amqp.connect(urlForVhost(amqpUrl, vhost.vhost));
const channel = await connection.createConfirmChannel();
await channel.assertQueue('bench.raw', { durable: true });
const rawLatencies: number[] = [];
const r0 = performance.now();
await windowed(N, WINDOW, async (i) => {
  const s = performance.now();
  await new Promise<void>((resolve, reject) =>
    channel.sendToQueue(
      'bench.raw',
      Buffer.from(bodies[i] as string),
      { persistent: true, contentType: 'application/json' },
      (e) => (e ? reject(e) : resolve()),
    ),
  );
  rawLatencies.push(performance.now() - s);
});
const rawSeconds = (performance.now() - r0) / 1000;
await connection.close();

const ours = percentiles(latencies);
const raw = percentiles(rawLatencies);
printComparison(
  `hub-bridge round trip, ${N} RS-EDA messages (hub.outbound at A -> simulator -> B -> RC-REF -> A), database ${a.database.kind}, bus ${a.bus.kind}`,
  {
    label: 'bridge A->sim->B->RC-REF',
    rate: N / oursSeconds,
    unit: 'msg/s',
    p50Ms: ours.p50,
    p99Ms: ours.p99,
    extra: {
      'hub.outbound -> hub.inbound at B p50 ms': Math.round(percentiles(toInbound).p50),
      p99: Math.round(percentiles(toInbound).p99),
      [`lone message (${SOLO} one at a time) p50 ms`]: Math.round(solo.p50),
      'p99 ms': Math.round(solo.p99),
    },
  },
  {
    label: 'raw amqplib confirm publish',
    rate: N / rawSeconds,
    unit: 'msg/s',
    p50Ms: raw.p50,
    p99Ms: raw.p99,
  },
);
await a.stop();
await b.stop();
await sim.stop();
await vhost.drop();
process.exit(0);
