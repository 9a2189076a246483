import { sql } from 'drizzle-orm';
import { pgSchema, text } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BusMessage,
  createMemoryBus,
  createOutboxRelay,
  enqueueEvents,
  leaseTable,
  outboxTable,
  runPeriodicWithLease,
  silentLogger,
  tryAcquireLease,
} from '../src/index.ts';
import { freshDatabase } from '../src/testing/database.ts';
import { serverUrl } from '../src/testing/servers.ts';
import { waitFor } from '../src/testing/wait.ts';

const schema = pgSchema('outbox_test');
const outbox = outboxTable(schema);
const leases = leaseTable(schema);
const orders = schema.table('orders', { id: text('id').primaryKey() });

describe(`outbox and leases on ${serverUrl('postgres') ? 'PostgreSQL' : 'PGlite'}`, () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    database = await freshDatabase();
    await database.db.execute(sql`create schema outbox_test`);
    await database.db.execute(sql`create table outbox_test.orders (id text primary key)`);
    await database.db.execute(sql`create table outbox_test.outbox (id bigserial primary key, subject text not null, msg_id text not null,
      payload jsonb not null, headers jsonb not null default '{}', created_at timestamptz not null default now(),
      sent_at timestamptz, attempts integer not null default 0, last_error text)`);
    await database.db.execute(
      sql`create table outbox_test.leases (name text primary key, holder text not null, expires_at timestamptz not null)`,
    );
  });
  afterAll(() => database.drop());

  it('keeps business rows and their events together: a rolled-back transaction sends nothing', async () => {
    await database.db
      .transaction(async (tx) => {
        await tx.insert(orders).values({ id: 'o-rollback' });
        await enqueueEvents(tx, outbox, [
          { subject: 'shop.orders.created', msgId: 'o-rollback', payload: { id: 'o-rollback' } },
        ]);
        throw new Error('abort');
      })
      .catch(() => undefined);
    const rows = await database.db.select().from(outbox);
    expect(rows.filter((r) => r.msgId === 'o-rollback')).toEqual([]);
  });

  it('loses nothing when the process dies between commit and publish: the next relay sends it', async () => {
    await database.db.transaction(async (tx) => {
      await tx.insert(orders).values({ id: 'o-1' });
      await enqueueEvents(tx, outbox, [
        { subject: 'shop.orders.created', msgId: 'o-1', payload: { id: 'o-1' } },
      ]);
    });
    // "Crash": no relay ran. A new process starts its relay.
    const bus = createMemoryBus();
    const got: BusMessage[] = [];
    await bus.subscribe({ subject: 'shop.>', durable: 'shop', handler: async (m) => void got.push(m) });
    const relay = createOutboxRelay({ db: database.db, bus, table: outbox, logger: silentLogger });
    expect(await relay.drain()).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(got.map((m) => m.json())).toEqual([{ id: 'o-1' }]);
    expect(got[0]!.msgId).toBe('o-1');
    expect(await relay.drain()).toBe(0);
    await bus.close();
  });

  it('keeps an event whose publication failed, with the error, and sends it later', async () => {
    await database.db.transaction(async (tx) => {
      await enqueueEvents(tx, outbox, [
        { subject: 'shop.orders.created', msgId: 'o-2', payload: { id: 'o-2' } },
      ]);
    });
    const broken = createMemoryBus();
    await broken.close();
    const relay = createOutboxRelay({ db: database.db, bus: broken, table: outbox, logger: silentLogger });
    expect(await relay.drain()).toBe(0);
    const [row] = await database.db.select().from(outbox).where(sql`msg_id = 'o-2'`);
    expect(row?.sentAt).toBeNull();
    expect(row?.lastError).toBe('bus is closed');
    const bus = createMemoryBus();
    expect(
      await createOutboxRelay({ db: database.db, bus, table: outbox, logger: silentLogger }).drain(),
    ).toBe(1);
    await bus.close();
  });

  it('deletes sent events past the retention and never an unsent one, however old', async () => {
    const day = 24 * 3_600_000;
    const ago = (ms: number) => new Date(Date.now() - ms);
    const row = (msgId: string, createdAt: Date, sentAt: Date | null) => ({
      subject: 'shop.orders.created',
      msgId,
      payload: { id: msgId },
      createdAt,
      sentAt,
    });
    await database.db
      .insert(outbox)
      .values([
        row('p-old-sent', ago(9 * day), ago(8 * day)),
        row('p-recent-sent', ago(2 * day), ago(2 * day)),
        row('p-old-unsent', ago(30 * day), null),
      ]);
    const relay = createOutboxRelay({
      db: database.db,
      bus: createMemoryBus(),
      table: outbox,
      logger: silentLogger,
      retentionMs: 7 * day,
    });
    expect(await relay.purge()).toBe(1);
    const left = (await database.db.select().from(outbox)).map((r) => r.msgId);
    expect(left).not.toContain('p-old-sent');
    expect(left).toEqual(expect.arrayContaining(['p-recent-sent', 'p-old-unsent']));
    await database.db.delete(outbox).where(sql`${outbox.msgId} like 'p-%'`);
  });

  it('publishes in order even when two replicas relay the same outbox at once', async () => {
    const total = 400;
    await database.db.transaction(async (tx) => {
      await enqueueEvents(
        tx,
        outbox,
        Array.from({ length: total }, (_, i) => ({
          subject: 'shop.seq.n',
          msgId: `seq-${i}`,
          payload: { i },
        })),
      );
    });
    const bus = createMemoryBus();
    const got: number[] = [];
    await bus.subscribe({
      subject: 'shop.seq.>',
      durable: 'seq',
      handler: async (m) => void got.push(m.json<{ i: number }>().i),
    });
    const relay = () =>
      createOutboxRelay({ db: database.db, bus, table: outbox, logger: silentLogger, batchSize: 20 });
    const [a, b] = [relay(), relay()];
    // Each replica keeps draining until nothing is left, as their timers would.
    const drainAll = async (r: ReturnType<typeof relay>) => {
      for (let i = 0; i < 100 && got.length < total; i++) await r.drain();
    };
    await Promise.all([drainAll(a), drainAll(b)]);
    await waitFor(() => got.length >= total, { what: `${total} events` });
    expect(got).toEqual(Array.from({ length: total }, (_, i) => i));
    await bus.close();
  });

  it('gives a lease to one holder until it expires', async () => {
    expect(await tryAcquireLease(database.db, leases, 'poll', 'replica-a', 60_000)).toBe(true);
    expect(await tryAcquireLease(database.db, leases, 'poll', 'replica-b', 60_000)).toBe(false);
    expect(await tryAcquireLease(database.db, leases, 'poll', 'replica-a', 60_000)).toBe(true);
    expect(await tryAcquireLease(database.db, leases, 'short', 'replica-a', 1)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(await tryAcquireLease(database.db, leases, 'short', 'replica-b', 60_000)).toBe(true);
  });

  it('keeps the lease of a job that runs longer than the lease', async () => {
    let finish!: () => void;
    let started = false;
    const stop = runPeriodicWithLease({
      db: database.db,
      table: leases,
      name: 'long-job',
      holder: 'replica-a',
      everyMs: 200,
      job: () => {
        started = true;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
      onError: (error) => {
        throw error;
      },
    });
    await waitFor(() => started, { what: 'the job to start' });
    // Two lease lengths (600 ms) later the job still runs: the lease must still be replica-a's.
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await tryAcquireLease(database.db, leases, 'long-job', 'replica-b', 60_000)).toBe(false);
    finish();
    await stop();
    expect(await tryAcquireLease(database.db, leases, 'long-job', 'replica-b', 60_000)).toBe(true);
  });
});
