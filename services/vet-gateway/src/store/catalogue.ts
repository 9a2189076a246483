import { AppError, type Database, type FieldError } from '@hip/shared';
import { asc, eq } from 'drizzle-orm';
import { catalogue } from '../db/schema.ts';
import { duplicateProductIds } from '../domain/catalogue.ts';
import { checkGtin } from '../domain/gtin.ts';

export interface LgcvProduct {
  id: string;
  name: string;
  gtin?: string | null | undefined;
}

/**
 * Replaces the LGCV catalogue of an account in one transaction. A GTIN that fails its check is
 * reported and dropped from its product, which is kept; a duplicate product id refuses the whole
 * catalogue (the previous one stays), since a mapping names one product by id.
 */
export async function replaceCatalogue(
  db: Database,
  account: string,
  products: readonly LgcvProduct[],
): Promise<{ accepted: number; gtinRejected: FieldError[] }> {
  const duplicates = duplicateProductIds(products);
  if (duplicates.length > 0)
    throw new AppError(
      'UNPROCESSABLE',
      `catalogue refused: ${duplicates.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      { errors: duplicates },
    );
  const gtinRejected: FieldError[] = [];
  const rows = products.map((p, index): typeof catalogue.$inferInsert => {
    let gtin14: string | null = null;
    let gtinError: string | null = null;
    if (p.gtin) {
      const check = checkGtin(p.gtin);
      if (check.ok) gtin14 = check.gtin14;
      else {
        gtinError = check.reason;
        gtinRejected.push({ path: `/products/${index}/gtin`, message: check.reason });
      }
    }
    return { account, lgcvId: p.id, name: p.name, gtin14, gtinError, updatedAt: new Date() };
  });
  await db.transaction(async (tx) => {
    await tx.delete(catalogue).where(eq(catalogue.account, account));
    for (let i = 0; i < rows.length; i += 1000) await tx.insert(catalogue).values(rows.slice(i, i + 1000));
  });
  return { accepted: rows.length, gtinRejected };
}

/** The account's LGCV products by name, for pickers and to name a mapped product. */
export async function catalogueOf(db: Database, account: string) {
  return db
    .select({ lgcvId: catalogue.lgcvId, name: catalogue.name, gtin14: catalogue.gtin14 })
    .from(catalogue)
    .where(eq(catalogue.account, account))
    .orderBy(asc(catalogue.name), asc(catalogue.lgcvId));
}
