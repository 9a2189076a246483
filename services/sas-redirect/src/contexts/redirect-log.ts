import type { Database, Logger } from '@hip/shared';
import { redirects } from '../db/schema.ts';

export interface RedirectEntry {
  origin: string;
  mode: string;
  regulator: string | null;
}

/**
 * The audit of redirects (no patient data), written in batches off the request path: a database
 * round trip per click would cost the regulator more than the whole redirect. At most `maxBuffered`
 * entries wait; beyond that the oldest are dropped and counted, because the redirect matters
 * more than its audit line.
 */
export function createRedirectLog(options: {
  db: Database;
  logger: Logger;
  flushMs?: number;
  maxBuffered?: number;
  batchSize?: number;
}) {
  const buffer: RedirectEntry[] = [];
  let dropped = 0;
  let flushing: Promise<void> | undefined;
  const max = options.maxBuffered ?? 10_000;
  const batchSize = options.batchSize ?? 200;

  /**
   * Writes what is buffered in inserts of at most `batchSize` rows: building one statement for
   * thousands of rows would hold the event loop long enough to show in the redirects' p99.
   */
  async function flush(): Promise<void> {
    if (flushing) return flushing;
    if (buffer.length === 0) return;
    flushing = (async () => {
      while (buffer.length > 0) {
        const batch = buffer.splice(0, batchSize);
        try {
          await options.db.insert(redirects).values(batch);
        } catch (error) {
          options.logger.warn({ err: error, entries: batch.length }, 'redirect audit not written');
        }
      }
    })().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  const timer = setInterval(() => void flush(), options.flushMs ?? 200);
  timer.unref?.();

  return {
    record(entry: RedirectEntry) {
      if (buffer.length >= max) {
        buffer.shift();
        dropped++;
      }
      buffer.push(entry);
    },
    flush,
    dropped: () => dropped,
    async stop() {
      clearInterval(timer);
      await flushing;
      await flush();
    },
  };
}

export type RedirectLog = ReturnType<typeof createRedirectLog>;
