import { AppError, type Database, z } from '@hip/shared';
import { eq } from 'drizzle-orm';
import { accounts } from '../db/schema.ts';
import { ACCOUNT_ID_PATTERN, ACCOUNT_ID_RULE } from '../domain/comptes.ts';

/** Vétélevage ids go into subjects and lease names: letters, digits, `-` and `_` only. */
export const IdSchema = z
  .string()
  .regex(ACCOUNT_ID_PATTERN, ACCOUNT_ID_RULE)
  .openapi({ example: 'cabinet-des-pres' });

export const AccountParams = z.object({
  account: IdSchema.openapi({ param: { name: 'account', in: 'path' } }),
});

export async function requireAccount(db: Database, id: string) {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  if (!row) throw new AppError('NOT_FOUND', `account ${id} is not registered`);
  return row;
}
