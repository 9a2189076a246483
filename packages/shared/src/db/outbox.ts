import { and, asc, eq, inArray, isNotNull, isNull, lt, type SQL, sql } from 'drizzle-orm';
import {
  bigserial,
  getTableConfig,
  index,
  integer,
  jsonb,
  type PgSchema,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { Bus, Headers } from '../bus/types.ts';
import { BUS_CORRELATION_HEADER, currentCorrelationId, type Logger, withCorrelation } from '../log.ts';
import type { Database } from './types.ts';

/**
 * The outbox table of a service, in that service's own schema. Declare it in the service's
 * drizzle schema so that its migrations create it:
 *
 * @example
 * export const docSchema = pgSchema('doc_converter');
 * export const outbox = outboxTable(docSchema);
 */
export function outboxTable(schema: PgSchema) {
  return schema.table(
    'outbox',
    {
      id: bigserial('id', { mode: 'number' }).primaryKey(),
      subject: text('subject').notNull(),
      msgId: text('msg_id').notNull(),
      payload: jsonb('payload').notNull(),
      headers: jsonb('headers').$type<Headers>().notNull().default({}),
      createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
      sentAt: timestamp('sent_at', { withTimezone: true }),
      attempts: integer('attempts').notNull().default(0),
      lastError: text('last_error'),
    },
    (t) => [index('outbox_unsent_idx').on(t.id).where(sql`${t.sentAt} is null`)],
  );
}
export type OutboxTable = ReturnType<typeof outboxTable>;

export interface OutgoingEvent {
  subject: string;
  /** Deduplication id: the relay may publish twice after a crash, JetStream drops the second. */
  msgId: string;
  payload: unknown;
  headers?: Headers;
}

/**
 * Records events in the same transaction as the business rows they describe.
 *
 * @example
 * await db.transaction(async (tx) => {
 *   await tx.insert(visits).values(rows);
 *   await enqueueEvents(tx, outbox, [{ subject: 'vet.a1.visits.imported', msgId: batchId, payload }]);
 * });
 * relay.kick();
 */
export async function enqueueEvents(
  tx: Database,
  table: OutboxTable,
  events: OutgoingEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const correlationId = currentCorrelationId();
  await tx.insert(table).values(
    events.map((e) => ({
      subject: e.subject,
      msgId: e.msgId,
      payload: e.payload as object,
      headers: correlationId ? { [BUS_CORRELATION_HEADER]: correlationId, ...e.headers } : (e.headers ?? {}),
    })),
  );
}

export interface OutboxRelay {
  /** Publishes what is pending now; returns how many events were sent. */
  drain(): Promise<number>;
  /** Asks for a drain soon, e.g. right after a commit. */
  kick(): void;
  /** Deletes events sent longer ago than the retention; returns how many. Unsent ones stay. */
  purge(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/** How long sent events stay in the outbox (for inspection) before the relay deletes them. */
export const DEFAULT_OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Publishes committed outbox rows in their order and marks them sent. One relay at a time per
 * outbox, across replicas (a transaction-scoped advisory lock): two relays publishing different
 * pages in parallel would let a later event overtake an earlier one. Sent rows are purged after
 * `retentionMs`: payloads may hold personal data and must not pile up forever.
 */
export function createOutboxRelay(options: {
  db: Database;
  bus: Bus;
  table: OutboxTable;
  logger: Logger;
  intervalMs?: number;
  batchSize?: number;
  retentionMs?: number;
  purgeEveryMs?: number;
}): OutboxRelay {
  const { db, bus, table, logger } = options;
  const batchSize = options.batchSize ?? 100;
  const retentionMs = options.retentionMs ?? DEFAULT_OUTBOX_RETENTION_MS;
  const purgeEveryMs = options.purgeEveryMs ?? 600_000;
  let lastPurge = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let running: Promise<number> | undefined;
  let again = false;

  const { schema, name } = getTableConfig(table);
  const lockKey = `${schema ?? 'public'}.${name}`;

  const drainOnce = async (): Promise<number> =>
    db.transaction(async (tx) => {
      // Read through the query builder, which both drivers (postgres-js, PGlite) answer alike.
      const [lock] = await tx
        .select({ held: sql<boolean>`pg_try_advisory_xact_lock(hashtext(${lockKey}))` })
        .from(table)
        .where(isNull(table.sentAt) as SQL)
        .limit(1);
      // Nothing to send, or another replica is relaying this outbox and will send our rows too.
      if (!lock?.held) return 0;
      const rows = await tx
        .select()
        .from(table)
        .where(isNull(table.sentAt) as SQL)
        .orderBy(asc(table.id))
        .limit(batchSize);
      const sent: number[] = [];
      for (const row of rows) {
        try {
          await withCorrelation(row.headers[BUS_CORRELATION_HEADER] ?? row.msgId, () =>
            bus.publish(row.subject, row.payload as object, { msgId: row.msgId, headers: row.headers }),
          );
          sent.push(row.id);
        } catch (error) {
          // Stop at the first failure: later events stay behind it, keeping their order.
          const message = error instanceof Error ? error.message : String(error);
          await tx
            .update(table)
            .set({ attempts: sql`${table.attempts} + 1`, lastError: message })
            .where(eq(table.id, row.id));
          logger.warn(
            { outboxId: row.id, subject: row.subject, err: message },
            'outbox publish failed, will retry',
          );
          break;
        }
      }
      if (sent.length > 0) {
        await tx
          .update(table)
          .set({ sentAt: new Date(), attempts: sql`${table.attempts} + 1` })
          .where(inArray(table.id, sent));
      }
      return sent.length;
    });

  const drain = async (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        let sent: number;
        do {
          sent = await drainOnce();
          total += sent;
        } while (sent === batchSize);
      } while (again);
      return total;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  // Deleting is idempotent, so replicas purging at the same time need no lock.
  const purge = async (): Promise<number> => {
    const cutoff = new Date(Date.now() - retentionMs);
    const deleted = await db
      .delete(table)
      .where(and(isNotNull(table.sentAt), lt(table.sentAt, cutoff)) as SQL)
      .returning({ id: table.id });
    return deleted.length;
  };

  return {
    drain,
    purge,
    kick() {
      drain().catch((error: unknown) => logger.warn({ err: error }, 'outbox relay failed'));
    },
    start() {
      timer ??= setInterval(() => {
        this.kick();
        if (Date.now() - lastPurge < purgeEveryMs) return;
        lastPurge = Date.now();
        purge()
          .then((n) => n > 0 && logger.debug({ deleted: n }, 'outbox: sent events past retention deleted'))
          .catch((error: unknown) => logger.warn({ err: error }, 'outbox purge failed'));
      }, options.intervalMs ?? 1_000);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
