import { AppError, type Database } from '@hip/shared';
import { and, asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { accounts, catalogue, mappings, seenProducts, visits } from '../db/schema.ts';
import { type Suggestion, suggestMatches } from '../domain/suggest.ts';
import { rebillVisits } from './rebill.ts';

/**
 * Maps a Vétélevage product to an LGCV product for an account, once: every visit, past and
 * future, bills it with that product. Visits already imported with it get a billing.updated
 * event (through the outbox, in the same transaction).
 */
export async function setMapping(
  db: Database,
  input: { account: string; vetelevageId: string; lgcvId: string; origin: 'confirmed' | 'api' },
): Promise<{ affectedVisits: number }> {
  return db.transaction(async (tx) => {
    // Waits for an import storing visits of the account, whose lines would miss this mapping.
    await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, input.account)).for('update');
    const [product] = await tx
      .select({ id: catalogue.lgcvId })
      .from(catalogue)
      .where(and(eq(catalogue.account, input.account), eq(catalogue.lgcvId, input.lgcvId)) as SQL);
    if (!product) {
      throw new AppError(
        'UNPROCESSABLE',
        `LGCV product ${input.lgcvId} is not in the catalogue of account ${input.account}`,
        {
          errors: [{ path: '/lgcvId', message: 'unknown LGCV product' }],
        },
      );
    }
    await tx
      .insert(mappings)
      .values(input)
      .onConflictDoUpdate({
        target: [mappings.account, mappings.vetelevageId],
        set: { lgcvId: input.lgcvId, origin: input.origin, createdAt: new Date() },
      });
    const affected = await rebillVisits(tx, {
      account: input.account,
      which: sql`${visits.payload}->'produits' @> ${JSON.stringify([{ id: input.vetelevageId }])}::jsonb`,
      reason: `Vétélevage product ${input.vetelevageId} mapped to LGCV product ${input.lgcvId}`,
      msgPrefix: `vet-billing:${input.account}:${input.vetelevageId}:${input.lgcvId}:${Date.now()}`,
    });
    return { affectedVisits: affected };
  });
}

export interface UnmappedProduct {
  vetelevageId: string;
  label: string;
  gtin14: string | null;
  /** Why the GTIN Vétélevage sent was ignored (the product is still mapped by its id). */
  gtinError: string | null;
  suggestions: Suggestion[];
}

/** Products seen in visits that the account has not mapped yet, each with suggestions. */
export async function unmappedProducts(db: Database, account: string): Promise<UnmappedProduct[]> {
  const rows = await db
    .select({
      vetelevageId: seenProducts.vetelevageId,
      label: seenProducts.label,
      gtin14: seenProducts.gtin14,
      gtinError: seenProducts.gtinError,
    })
    .from(seenProducts)
    .leftJoin(
      mappings,
      and(eq(mappings.account, seenProducts.account), eq(mappings.vetelevageId, seenProducts.vetelevageId)),
    )
    .where(and(eq(seenProducts.account, account), isNull(mappings.lgcvId)) as SQL)
    .orderBy(asc(seenProducts.vetelevageId));
  const entries = await db
    .select({ lgcvId: catalogue.lgcvId, name: catalogue.name, gtin14: catalogue.gtin14 })
    .from(catalogue)
    .where(eq(catalogue.account, account));
  return rows.map((r) => ({
    ...r,
    suggestions: suggestMatches({ gtin14: r.gtin14, label: r.label }, entries),
  }));
}
