import type { Database } from '@hip/shared';
import type { VetVisitLines } from '@hip/shared/schemas';
import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import { accounts, mappings, visits } from '../db/schema.ts';
import { type BillingContext, visitLinesOf } from '../domain/billing.ts';

/**
 * The mappings and act codes billing lines of an account are computed with. `lock` takes the
 * account row for the rest of the transaction: an import that publishes lines (`share`) and a
 * mapping that re-publishes them (`update`) then run one after the other, so lines published
 * with a product unmapped are always followed by a billing.updated once it is mapped.
 */
export async function billingContextFor(
  db: Database,
  account: string,
  lock?: 'share' | 'update',
): Promise<BillingContext> {
  const query = db.select({ acts: accounts.acts }).from(accounts).where(eq(accounts.id, account));
  const [row] = lock ? await query.for(lock) : await query;
  const mapped = await db
    .select({ from: mappings.vetelevageId, to: mappings.lgcvId })
    .from(mappings)
    .where(eq(mappings.account, account));
  return {
    mappings: new Map(mapped.map((m) => [m.from, m.to])),
    actCodes: row?.acts ? new Set(row.acts.map((a) => a.code)) : null,
  };
}

/**
 * Billing lines are computed when read, from the stored visit and today's mappings: a mapping
 * confirmed after the import shows on the visit's lines at once, without rewriting history.
 */
export async function linesOfVisits(
  db: Database,
  account: string,
  options: { visitIds?: string[]; limit?: number; offset?: number } = {},
): Promise<VetVisitLines[]> {
  const where = options.visitIds
    ? (and(eq(visits.account, account), inArray(visits.visitId, options.visitIds)) as SQL)
    : eq(visits.account, account);
  const rows = await db
    .select({ payload: visits.payload })
    .from(visits)
    .where(where)
    .orderBy(desc(visits.importedAt), visits.visitId)
    .limit(options.limit ?? 100)
    .offset(options.offset ?? 0);
  const context = await billingContextFor(db, account);
  return rows.map((r) => visitLinesOf(r.payload, context));
}
