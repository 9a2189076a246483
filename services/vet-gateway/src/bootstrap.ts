import { type Database, z } from '@hip/shared';
import { accounts, editors } from './db/schema.ts';
import type { SecretBox } from './secrets.ts';

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
      }),
    )
    .default([]),
});
export type Bootstrap = z.infer<typeof BootstrapSchema>;

/** Registers the bootstrap entries (idempotent: a restart re-seals the same credentials). */
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
  }
}
