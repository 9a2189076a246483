import { and, eq, type SQL, sql } from 'drizzle-orm';
import { type PgSchema, text, timestamp } from 'drizzle-orm/pg-core';
import { runPeriodically } from '../periodic.ts';
import type { Database } from './types.ts';

/** The lease table of a service: one row per periodic job, held by one replica at a time. */
export function leaseTable(schema: PgSchema) {
  return schema.table('leases', {
    name: text('name').primaryKey(),
    holder: text('holder').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  });
}
export type LeaseTable = ReturnType<typeof leaseTable>;

/**
 * Takes or renews the lease `name` for `holder` when it is free, expired or already ours.
 * A table rather than an advisory lock: it survives connection pooling and works on PGlite.
 */
export async function tryAcquireLease(
  db: Database,
  table: LeaseTable,
  name: string,
  holder: string,
  ttlMs: number,
): Promise<boolean> {
  const expiresAt = new Date(Date.now() + ttlMs);
  const rows = await db
    .insert(table)
    .values({ name, holder, expiresAt })
    .onConflictDoUpdate({
      target: table.name,
      set: { holder, expiresAt },
      setWhere: sql`${table.expiresAt} < now() or ${table.holder} = ${holder}`,
    })
    .returning({ holder: table.holder });
  return rows.length === 1 && rows[0]?.holder === holder;
}

export async function releaseLease(
  db: Database,
  table: LeaseTable,
  name: string,
  holder: string,
): Promise<void> {
  await db.delete(table).where(and(eq(table.name, name), eq(table.holder, holder)) as SQL);
}

/**
 * Runs `job` every `everyMs` on the one replica holding the lease. The lease lasts three periods
 * and is renewed every period while a job runs, so a job longer than the lease is never run
 * twice at once by another replica.
 * Returns a stop function that waits for a running job.
 */
export function runPeriodicWithLease(options: {
  db: Database;
  table: LeaseTable;
  name: string;
  holder: string;
  everyMs: number;
  job: () => Promise<void>;
  onError: (error: unknown) => void;
}): () => Promise<void> {
  const ttlMs = options.everyMs * 3;
  const acquire = () => tryAcquireLease(options.db, options.table, options.name, options.holder, ttlMs);
  const stop = runPeriodically({
    everyMs: options.everyMs,
    onError: options.onError,
    job: async () => {
      if (!(await acquire())) return;
      let renewing: Promise<unknown> = Promise.resolve();
      const renewal = setInterval(() => {
        renewing = acquire().catch(options.onError);
      }, options.everyMs);
      try {
        await options.job();
      } finally {
        clearInterval(renewal);
        // A renewal landing after stop()'s release would hand the lease back to us.
        await renewing;
      }
    },
  });
  return async () => {
    await stop();
    await releaseLease(options.db, options.table, options.name, options.holder).catch(() => undefined);
  };
}
