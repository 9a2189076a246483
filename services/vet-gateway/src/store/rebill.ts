import { type Database, enqueueEvents } from '@hip/shared';
import { VET_SUBJECTS } from '@hip/shared/schemas';
import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { Visit } from '../adapters/vetelevage/contract.ts';
import { outbox, visits } from '../db/schema.ts';
import { visitLinesOf } from '../domain/billing.ts';
import { chunkForEvents } from '../domain/events.ts';
import { billingContextFor } from './billing.ts';

/** Visits re-billed per query when a change of the account alters lines of imported visits. */
export const REBILL_PAGE = 500;

/**
 * Publishes `vet.<account>.billing.updated` with today's lines of the imported visits that
 * `which` selects, in the caller's transaction (after it changed mappings or acts). Pages
 * through them by visit id, so that years of visits are never all in memory at once.
 * Returns how many visits were re-billed.
 */
export async function rebillVisits(
  tx: Database,
  input: { account: string; which: SQL; reason: string; msgPrefix: string },
): Promise<number> {
  const context = await billingContextFor(tx, input.account);
  let count = 0;
  let after = '';
  for (;;) {
    const page = await tx
      .select({ visitId: visits.visitId, payload: visits.payload })
      .from(visits)
      .where(and(eq(visits.account, input.account), gt(visits.visitId, after), input.which) as SQL)
      .orderBy(asc(visits.visitId))
      .limit(REBILL_PAGE);
    if (page.length === 0) break;
    const chunks = chunkForEvents(page.map((r) => visitLinesOf(r.payload as Visit, context)));
    await enqueueEvents(
      tx,
      outbox,
      chunks.map((chunk, n) => ({
        subject: VET_SUBJECTS.billingUpdated(input.account),
        msgId: `${input.msgPrefix}:${count}:${n}`,
        payload: { account: input.account, reason: input.reason, visits: chunk },
      })),
    );
    count += page.length;
    after = page[page.length - 1]?.visitId ?? after;
    if (page.length < REBILL_PAGE) break;
  }
  return count;
}
