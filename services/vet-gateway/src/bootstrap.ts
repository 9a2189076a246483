import { type Database, z } from '@hip/shared';
import { eq } from 'drizzle-orm';
import { accounts, catalogue, editors } from './db/schema.ts';
import type { SecretBox } from './secrets.ts';
import { replaceCatalogue } from './store/catalogue.ts';

/** Accounts and editors to link at start (demo platform, or a Kubernetes secret). */
export const BootstrapSchema = z.object({
  editors: z
    .array(z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), secret: z.string().min(1) }))
    .default([]),
  accounts: z
    .array(
      z.object({
        id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        mode: z.enum(['veterinaire', 'saas']),
        login: z.string().optional(),
        password: z.string().optional(),
        editor: z.string().optional(),
        label: z.string().optional(),
        /** The LGCV catalogue to start with, loaded only while the account has none. */
        catalogue: z
          .array(z.object({ id: z.string().min(1), name: z.string().min(1), gtin: z.string().optional() }))
          .optional(),
      }),
    )
    .default([]),
});
export type Bootstrap = z.infer<typeof BootstrapSchema>;

/**
 * Registers the bootstrap entries (idempotent: a restart re-seals the same credentials). A
 * bootstrap catalogue only fills an empty one: what the LGCV pushed since is never replaced.
 */
export async function applyBootstrap(db: Database, secrets: SecretBox, bootstrap: Bootstrap): Promise<void> {
  for (const e of bootstrap.editors) {
    const secretSealed = await secrets.seal(e.secret, `editor:${e.id}`);
    await db
      .insert(editors)
      .values({ id: e.id, secretSealed })
      .onConflictDoUpdate({ target: editors.id, set: { secretSealed } });
  }
  for (const a of bootstrap.accounts) {
    const values = {
      mode: a.mode,
      login: a.login ?? null,
      passwordSealed: a.password ? await secrets.seal(a.password, `account:${a.id}`) : null,
      editorId: a.editor ?? null,
      label: a.label ?? null,
    };
    await db
      .insert(accounts)
      .values({ id: a.id, ...values })
      .onConflictDoUpdate({ target: accounts.id, set: values });
    if (a.catalogue && !(await hasCatalogue(db, a.id)))
      await replaceCatalogue(db, a.id, a.catalogue).catch((error: unknown) => {
        throw new Error(`VET_BOOTSTRAP: catalogue of account ${a.id}: ${(error as Error).message}`, {
          cause: error,
        });
      });
  }
}

const hasCatalogue = async (db: Database, account: string) =>
  (await db.select({ id: catalogue.lgcvId }).from(catalogue).where(eq(catalogue.account, account)).limit(1))
    .length > 0;
