import { type Database, type Logger, runPeriodically } from '@hip/shared';
import { and, inArray, lt, type SQL } from 'drizzle-orm';
import { liveMessages, type MessageStatus } from './schema.ts';

/**
 * Outcomes that need nobody any more. Failed messages wait for a retry and refused ones for
 * someone to fix the data in ARCAD360: they stay in the log whatever their age.
 */
export const SETTLED_STATUSES: MessageStatus[] = ['applied', 'ignored'];

/** Thirty days: long enough to investigate a complaint about a stay, short enough for personal data. */
export const DEFAULT_LOG_RETENTION_MS = 30 * 24 * 3_600_000;

/**
 * Deletes settled messages processed longer ago than `retentionMs`; returns how many. Order and
 * duplicates stay safe without them: `live_cursors` keeps each client's last applied sequence.
 * Deleting is idempotent, so replicas purging at the same time need no lock.
 */
export async function purgeSettledMessages(db: Database, retentionMs: number): Promise<number> {
  const cutoff = new Date(Date.now() - retentionMs);
  const deleted = await db
    .delete(liveMessages)
    .where(and(inArray(liveMessages.status, SETTLED_STATUSES), lt(liveMessages.processedAt, cutoff)) as SQL)
    .returning({ id: liveMessages.id });
  return deleted.length;
}

/** Purges the log every `everyMs` until stopped. */
export function startLogPurge(options: {
  db: Database;
  logger: Logger;
  retentionMs: number;
  everyMs?: number;
}) {
  const { db, logger, retentionMs } = options;
  const stop = runPeriodically({
    everyMs: options.everyMs ?? 600_000,
    job: async () => {
      const deleted = await purgeSettledMessages(db, retentionMs);
      if (deleted > 0) logger.info({ deleted }, 'ARCAD messages past retention deleted from the log');
    },
    onError: (error) => logger.warn({ err: error }, 'purge of the ARCAD message log failed'),
  });
  return { stop };
}
