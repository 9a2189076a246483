// messages/s through our Bus (publish -> durable consume -> ack) next to raw `nats` client code
// doing the same on the same server, in the same run. BENCH_MESSAGES sets the count.
import { AckPolicy, connect, DeliverPolicy, nanos, headers as natsHeaders, StorageType } from 'nats';
import type { Bus } from '../src/index.ts';
import { createMemoryBus } from '../src/index.ts';
import { createNatsBus, natsServerOptions } from '../src/node/index.ts';
import { type BenchFigure, percentiles, printComparison } from '../src/testing/bench.ts';
import { deleteNamespace, uniqueDomain } from '../src/testing/bus.ts';

const total = Number(process.env.BENCH_MESSAGES ?? 20_000);
const window = 256; // publications in flight at once, the same for both sides
const payload = { documentId: 'doc-0001', kind: 'courrier', centreId: '62', body: 'x'.repeat(512) };

async function throughBus(bus: Bus, label: string): Promise<BenchFigure> {
  const subject = `bench.messages.created`;
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let done: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const sub = await bus.subscribe({
    subject: 'bench.>',
    durable: 'bench',
    concurrency: 64,
    handler: async (m) => {
      const n = Number(m.headers.n);
      latencies.push(performance.now() - sentAt.get(n)!);
      if (latencies.length === total) done();
    },
  });
  const started = performance.now();
  for (let n = 0; n < total; n += window) {
    await Promise.all(
      Array.from({ length: Math.min(window, total - n) }, (_, k) => {
        sentAt.set(n + k, performance.now());
        return bus.publish(subject, payload, { msgId: `m-${n + k}`, headers: { n: String(n + k) } });
      }),
    );
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await sub.stop();
  const { p50, p99 } = percentiles(latencies);
  return { label, rate: total / seconds, unit: 'msg/s', p50Ms: p50, p99Ms: p99 };
}

async function rawNats(url: string): Promise<BenchFigure> {
  const nc = await connect(natsServerOptions(url));
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const name = uniqueDomain('raw').toUpperCase();
  const subject = `${name.toLowerCase()}.messages.created`;
  await jsm.streams.add({
    name,
    subjects: [`${name.toLowerCase()}.>`],
    storage: StorageType.File,
    duplicate_window: nanos(120_000),
  });
  await jsm.consumers.add(name, {
    durable_name: 'bench',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: `${name.toLowerCase()}.>`,
    max_ack_pending: 1_000,
  });
  const body = new TextEncoder().encode(JSON.stringify(payload));
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const consumer = await js.consumers.get(name, 'bench');
  const messages = await consumer.consume({ max_messages: 64 });
  const consumed = (async () => {
    for await (const m of messages) {
      const n = Number(m.headers?.get('n'));
      latencies.push(performance.now() - sentAt.get(n)!);
      m.ack();
      if (latencies.length === total) break;
    }
  })();
  const started = performance.now();
  for (let n = 0; n < total; n += window) {
    await Promise.all(
      Array.from({ length: Math.min(window, total - n) }, (_, k) => {
        sentAt.set(n + k, performance.now());
        const headers = natsHeaders();
        headers.set('n', String(n + k));
        return js.publish(subject, body, { msgID: `m-${n + k}`, headers });
      }),
    );
  }
  await consumed;
  const seconds = (performance.now() - started) / 1000;
  await jsm.streams.delete(name);
  await nc.close();
  const { p50, p99 } = percentiles(latencies);
  return { label: 'raw nats.js (JetStream)', rate: total / seconds, unit: 'msg/s', p50Ms: p50, p99Ms: p99 };
}

const url = process.env.NATS_URL;
const memory = await throughBus(createMemoryBus(), 'our Bus, in-process adapter');
if (!url) {
  process.stdout.write(
    `\nbus: ${memory.rate.toFixed(0)} msg/s in-process (${total} messages). Set NATS_URL to compare with raw nats.js on JetStream.\n`,
  );
} else {
  const namespace = uniqueDomain('bench');
  const bus = await createNatsBus({ url, name: 'bench', namespace });
  const raw = await rawNats(url);
  const ours = await throughBus(bus, 'our Bus, JetStream adapter');
  await bus.close();
  await deleteNamespace(url, namespace);
  printComparison(
    `bus: publish -> durable consume -> ack, ${total} messages of ${JSON.stringify(payload).length} bytes`,
    ours,
    raw,
  );
  process.stdout.write(`  (in-process adapter, same workload: ${memory.rate.toFixed(0)} msg/s)\n`);
}
