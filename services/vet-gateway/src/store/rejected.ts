import { AppError, type Database, fieldErrorsOf, withoutNulCharacters } from '@hip/shared';
import { and, desc, eq, isNull, or, type SQL } from 'drizzle-orm';
import { Visit } from '../adapters/vetelevage/contract.ts';
import { type accounts, errors, rejectedVisits } from '../db/schema.ts';
import { visitJson } from '../domain/batch.ts';
import { storeVisits } from './visits.ts';

type AccountRow = Pick<typeof accounts.$inferSelect, 'id' | 'mode' | 'editorId'>;

/**
 * Rejected visits an account sees: its own, and in SaaS mode those of its editor's batches that
 * had no usable account id (they could belong to any account of the editor).
 */
const ofAccount = (row: AccountRow): SQL =>
  row.mode === 'saas'
    ? (or(
        eq(rejectedVisits.account, row.id),
        and(eq(rejectedVisits.source, `editor:${row.editorId}`), isNull(rejectedVisits.account)),
      ) as SQL)
    : eq(rejectedVisits.account, row.id);

/** Visits kept aside because they did not match the contract, not reprocessed yet, newest first. */
export async function openRejectedVisits(db: Database, row: AccountRow) {
  return db
    .select()
    .from(rejectedVisits)
    .where(and(ofAccount(row), isNull(rejectedVisits.resolvedAt)) as SQL)
    .orderBy(desc(rejectedVisits.id))
    .limit(200);
}

/**
 * Imports a kept visit once it matches the contract: as Vétélevage sent it (after the contract
 * was relaxed) or as corrected by the caller. Stored and published like an imported visit; the
 * rejected visit and its error are resolved. Refused (422, naming the fields) while it does not
 * match, or when it belongs to another account.
 */
export async function reprocessRejectedVisit(
  db: Database,
  row: AccountRow,
  id: number,
  corrected?: unknown,
): Promise<{ visitId: string; outcome: 'imported' | 'updated' | 'unchanged' }> {
  return db.transaction(async (tx) => {
    const [kept] = await tx
      .select()
      .from(rejectedVisits)
      .where(and(eq(rejectedVisits.id, id), ofAccount(row), isNull(rejectedVisits.resolvedAt)) as SQL)
      .for('update');
    if (!kept) throw new AppError('NOT_FOUND', `no open rejected visit ${id} for account ${row.id}`);
    const parsed = Visit.safeParse(withoutNulCharacters(corrected ?? kept.raw));
    if (!parsed.success) {
      const problems = fieldErrorsOf(parsed.error);
      throw new AppError(
        'UNPROCESSABLE',
        `rejected visit ${id} still does not match the Vétélevage contract: ${problems
          .map((p) => `${p.path} ${p.message}`)
          .join('; ')}`,
        { errors: problems.map((p) => ({ ...p, path: `/visit${p.path}` })) },
      );
    }
    const visit = parsed.data;
    if (visit.compte !== row.id)
      throw new AppError('UNPROCESSABLE', `the visit is tagged with account ${visit.compte}, not ${row.id}`, {
        errors: [{ path: '/visit/compte', message: `must be ${row.id}` }],
      });
    const { inserted, updated } = await storeVisits(tx, {
      lot: kept.lot,
      visits: [visit],
      json: [visitJson(visit)],
      tag: `reprocessed-${id}`,
    });
    const now = new Date();
    await tx.update(rejectedVisits).set({ resolvedAt: now }).where(eq(rejectedVisits.id, id));
    await tx
      .update(errors)
      .set({ resolvedAt: now })
      .where(and(eq(errors.rejectedVisitId, id), isNull(errors.resolvedAt)) as SQL);
    return {
      visitId: visit.id,
      outcome: inserted.length > 0 ? 'imported' : updated.length > 0 ? 'updated' : 'unchanged',
    };
  });
}
