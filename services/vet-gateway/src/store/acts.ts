import type { Database } from '@hip/shared';
import { eq, sql } from 'drizzle-orm';
import { accounts, visits } from '../db/schema.ts';
import { actListKey, actStatusChange, type LgcvAct } from '../domain/acts.ts';
import { rebillVisits } from './rebill.ts';

/**
 * Replaces the LGCV act list of an account. Lines of imported visits whose act code became
 * known or unknown change status: those visits get a billing.updated in the same transaction,
 * so the LGCV never keeps a line flagged for a code it has since added (or the reverse).
 */
export async function setActList(
  db: Database,
  account: string,
  acts: LgcvAct[],
): Promise<{ affectedVisits: number }> {
  return db.transaction(async (tx) => {
    // Taken first, like a mapping: an import of the account computes its lines before or after.
    const [row] = await tx
      .select({ acts: accounts.acts })
      .from(accounts)
      .where(eq(accounts.id, account))
      .for('update');
    await tx
      .update(accounts)
      .set({ acts, actsKey: actListKey(acts) })
      .where(eq(accounts.id, account));
    const change = actStatusChange(row?.acts ?? null, acts);
    if (!change) return { affectedVisits: 0 };
    const codes = JSON.stringify('codesIn' in change ? change.codesIn : change.codesNotIn);
    const list = sql`(select jsonb_array_elements_text(${codes}::text::jsonb))`;
    const code = sql`act->>'code'`;
    const affectedVisits = await rebillVisits(tx, {
      account,
      which: sql`exists (select 1 from jsonb_array_elements(${visits.payload}->'actes') as act
        where ${'codesIn' in change ? sql`${code} in ${list}` : sql`${code} not in ${list}`})`,
      reason: 'the LGCV act list changed',
      msgPrefix: `vet-billing:${account}:acts:${Date.now()}`,
    });
    return { affectedVisits };
  });
}
