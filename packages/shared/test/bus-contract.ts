import { afterAll, expect, it } from 'vitest';
import {
  BUS_CORRELATION_HEADER,
  type Bus,
  type BusMessage,
  DEAD_LETTER_HEADERS,
  subscribeDeadLetters,
  withCorrelation,
} from '../src/index.ts';
import { uniqueDomain } from '../src/testing/bus.ts';
import { waitFor } from '../src/testing/wait.ts';

/**
 * The promises every Bus adapter keeps. `makeBus` is called once per simulated process
 * (two calls = two replicas); `cleanup` removes what a test domain left behind.
 */
export function busContract(
  makeBus: () => Promise<Bus>,
  cleanup: (domains: string[]) => Promise<void> = async () => {},
) {
  const buses: Bus[] = [];
  const domains: string[] = [];
  const open = async () => {
    const bus = await makeBus();
    buses.push(bus);
    return bus;
  };
  const domain = () => {
    const d = uniqueDomain('ct');
    domains.push(d, `dlq`);
    return d;
  };
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await cleanup(domains.filter((d) => d !== 'dlq'));
  });

  it('delivers a message to a durable with its payload and headers', async () => {
    const bus = await open();
    const d = domain();
    const got: BusMessage[] = [];
    const sub = await bus.subscribe({
      subject: `${d}.things.*`,
      durable: `${d}-reader`,
      handler: async (m) => void got.push(m),
    });
    await bus.publish(
      `${d}.things.created`,
      { id: 1, name: 'é€' },
      { msgId: `${d}-1`, headers: { 'X-Tenant': 'acme' } },
    );
    await waitFor(() => got.length === 1, { what: 'delivery' });
    expect(got[0]!.json()).toEqual({ id: 1, name: 'é€' });
    expect(got[0]!.subject).toBe(`${d}.things.created`);
    expect(got[0]!.headers['X-Tenant']).toBe('acme');
    expect(got[0]!.msgId).toBe(`${d}-1`);
    expect(got[0]!.deliveryCount).toBe(1);
    await sub.stop();
  });

  it('keeps messages published before the durable existed', async () => {
    const bus = await open();
    const d = domain();
    await bus.publish(`${d}.early`, 'first');
    const got: string[] = [];
    const sub = await bus.subscribe({
      subject: `${d}.>`,
      durable: `${d}-late`,
      handler: async (m) => void got.push(m.text()),
    });
    await waitFor(() => got.length === 1, { what: 'early message' });
    expect(got).toEqual(['first']);
    await sub.stop();
  });

  it('carries the correlation id of the publishing context to the handler', async () => {
    const bus = await open();
    const d = domain();
    let seen: string | undefined;
    const sub = await bus.subscribe({
      subject: `${d}.x`,
      durable: `${d}-c`,
      handler: async (m) => {
        seen = m.headers[BUS_CORRELATION_HEADER];
      },
    });
    await withCorrelation('corr-42', () => bus.publish(`${d}.x`, {}));
    await waitFor(() => seen, { what: 'correlated delivery' });
    expect(seen).toBe('corr-42');
    await sub.stop();
  });

  it('redelivers a message whose handler threw, counting deliveries', async () => {
    const bus = await open();
    const d = domain();
    const counts: number[] = [];
    const sub = await bus.subscribe({
      subject: `${d}.retry`,
      durable: `${d}-r`,
      backoffMs: [50],
      handler: async (m) => {
        counts.push(m.deliveryCount);
        if (m.deliveryCount < 2) throw new Error('transient');
      },
    });
    await bus.publish(`${d}.retry`, { n: 1 });
    await waitFor(() => counts.length === 2, { what: 'redelivery' });
    expect(counts).toEqual([1, 2]);
    await sub.stop();
  });

  it('dead-letters a message after maxDeliver failures, carrying the error', async () => {
    const bus = await open();
    const d = domain();
    let attempts = 0;
    const dead: BusMessage[] = [];
    const sub = await bus.subscribe({
      subject: `${d}.poison`,
      durable: `${d}-p`,
      maxDeliver: 3,
      backoffMs: [20],
      handler: async () => {
        attempts++;
        throw new TypeError('field "kind" is missing');
      },
    });
    const dlq = await bus.subscribe({
      subject: `dlq.${d}-p.>`,
      durable: `${d}-dlq`,
      handler: async (m) => void dead.push(m),
    });
    await bus.publish(
      `${d}.poison`,
      { bad: true },
      { msgId: `${d}-poison-1`, headers: { 'X-Tenant': 't1' } },
    );
    await waitFor(() => dead.length === 1, { what: 'dead letter' });
    expect(attempts).toBe(3);
    expect(dead[0]!.json()).toEqual({ bad: true });
    expect(dead[0]!.headers[DEAD_LETTER_HEADERS.error]).toBe('TypeError: field "kind" is missing');
    expect(dead[0]!.headers[DEAD_LETTER_HEADERS.subject]).toBe(`${d}.poison`);
    expect(dead[0]!.headers[DEAD_LETTER_HEADERS.deliveries]).toBe('3');
    expect(dead[0]!.headers['X-Tenant']).toBe('t1');
    expect(dead[0]!.headers[DEAD_LETTER_HEADERS.msgId]).toBe(`${d}-poison-1`);
    await new Promise((r) => setTimeout(r, 150));
    expect(attempts).toBe(3);
    await Promise.all([sub.stop(), dlq.stop()]);
  });

  it('keeps delivering a dead letter whose taker fails, far beyond the usual deliveries', async () => {
    const bus = await open();
    const d = domain();
    const sub = await bus.subscribe({
      subject: `${d}.lost`,
      durable: `${d}-l`,
      maxDeliver: 1,
      handler: async () => {
        throw new Error('database away');
      },
    });
    let attempts = 0;
    const taken: BusMessage[] = [];
    const dlq = await subscribeDeadLetters(bus, {
      of: `${d}-l`,
      durable: `${d}-l-dlq`,
      backoffMs: [10],
      handler: async (m) => {
        attempts++;
        if (attempts < 12) throw new Error('database still away');
        taken.push(m);
      },
    });
    await bus.publish(`${d}.lost`, { keep: 'me' });
    await waitFor(() => taken.length === 1, { timeoutMs: 10_000, what: 'dead letter taken in the end' });
    expect(attempts).toBe(12);
    expect(taken[0]!.json()).toEqual({ keep: 'me' });
    await Promise.all([sub.stop(), dlq.stop()]);
  });

  it('drops a second publication with the same message id', async () => {
    const bus = await open();
    const d = domain();
    const got: string[] = [];
    const sub = await bus.subscribe({
      subject: `${d}.once`,
      durable: `${d}-o`,
      handler: async (m) => void got.push(m.text()),
    });
    const first = await bus.publish(`${d}.once`, 'a', { msgId: `${d}-same` });
    const second = await bus.publish(`${d}.once`, 'b', { msgId: `${d}-same` });
    await bus.publish(`${d}.once`, 'c', { msgId: `${d}-other` });
    await waitFor(() => got.length === 2, { what: 'two distinct messages' });
    await new Promise((r) => setTimeout(r, 100));
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    expect(got).toEqual(['a', 'c']);
    await sub.stop();
  });

  it('shares one durable between two replicas, each message handled exactly once', async () => {
    const [a, b] = [await open(), await open()];
    const d = domain();
    const handled: { by: string; n: number }[] = [];
    const slow = (by: string) => async (m: BusMessage) => {
      await new Promise((r) => setTimeout(r, 5));
      handled.push({ by, n: m.json<{ n: number }>().n });
    };
    const subA = await a.subscribe({
      subject: `${d}.work`,
      durable: `${d}-w`,
      handler: slow('a'),
      concurrency: 2,
    });
    const subB = await b.subscribe({
      subject: `${d}.work`,
      durable: `${d}-w`,
      handler: slow('b'),
      concurrency: 2,
    });
    for (let n = 0; n < 60; n++) await a.publish(`${d}.work`, { n }, { msgId: `${d}-${n}` });
    await waitFor(() => handled.length >= 60, { what: '60 messages', timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 200));
    const numbers = handled.map((h) => h.n).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 60 }, (_, n) => n));
    expect(handled.some((h) => h.by === 'a')).toBe(true);
    expect(handled.some((h) => h.by === 'b')).toBe(true);
    await Promise.all([subA.stop(), subB.stop()]);
  });

  it('round-trips a large payload through the object store', async () => {
    const bus = await open();
    const store = await bus.objects(uniqueDomain('ob'));
    const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    await store.put('doc-1.pdf', data);
    const back = await store.get('doc-1.pdf');
    expect(back?.byteLength).toBe(data.byteLength);
    expect(Buffer.from(back!).equals(Buffer.from(data))).toBe(true);
    await store.delete('doc-1.pdf');
    expect(await store.get('doc-1.pdf')).toBeUndefined();
  });

  it('answers a request through a responder', async () => {
    const bus = await open();
    const d = domain();
    const responder = await bus.reply(`${d}.rpc.sum`, async (m) => {
      const { a, b } = m.json<{ a: number; b: number }>();
      return { sum: a + b };
    });
    const answer = await bus.request(`${d}.rpc.sum`, { a: 2, b: 3 }, { timeoutMs: 2_000 });
    expect(answer.json()).toEqual({ sum: 5 });
    await responder.stop();
  });
}
