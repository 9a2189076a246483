import { silentLogger } from '@hip/shared';
import { describe, expect, it } from 'vitest';
import { createRedirectLog } from './redirect-log.ts';

/** A database that records the size of each insert, and can fail the first ones. */
function recordingDb(failFirst = 0) {
  const inserts: number[] = [];
  let calls = 0;
  const db = {
    insert: () => ({
      values: async (rows: unknown[]) => {
        if (calls++ < failFirst) throw new Error('database unavailable');
        inserts.push(rows.length);
      },
    }),
  };
  return { db: db as never, inserts };
}

const entry = { origin: 'samu44-lrm', mode: 'plain', regulator: null };

describe('redirect audit', () => {
  it('writes a burst in inserts of at most batchSize rows, none lost', async () => {
    const { db, inserts } = recordingDb();
    const log = createRedirectLog({ db, logger: silentLogger, batchSize: 200, flushMs: 60_000 });
    for (let i = 0; i < 1_050; i++) log.record(entry);
    await log.stop();
    expect(inserts).toEqual([200, 200, 200, 200, 200, 50]);
  });

  it('keeps at most maxBuffered entries, dropping and counting the oldest', async () => {
    const { db, inserts } = recordingDb();
    const log = createRedirectLog({ db, logger: silentLogger, maxBuffered: 100, flushMs: 60_000 });
    for (let i = 0; i < 130; i++) log.record(entry);
    expect(log.dropped()).toBe(30);
    await log.stop();
    expect(inserts.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('goes on with the next batches when one insert fails', async () => {
    const { db, inserts } = recordingDb(1);
    const log = createRedirectLog({ db, logger: silentLogger, batchSize: 10, flushMs: 60_000 });
    for (let i = 0; i < 25; i++) log.record(entry);
    await log.stop();
    expect(inserts).toEqual([10, 5]);
  });
});
