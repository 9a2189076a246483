import { AppError, type Database } from '@hip/shared';
import { eq } from 'drizzle-orm';
import type { VetelevageClient, VetelevageSession } from '../adapters/vetelevage/client.ts';
import { accounts, editors } from '../db/schema.ts';
import type { SecretBox } from '../secrets.ts';

/** What an import runs over: one vet-mode account, or one editor's grouped SaaS batch. */
export type ImportSource = { kind: 'account'; id: string } | { kind: 'editor'; id: string };
export const sourceKey = (s: ImportSource) => `${s.kind}:${s.id}`;

/** A session and the `compte` parameter that targets one account with it (SaaS mode only). */
export interface AccountSession {
  session: VetelevageSession;
  compte: string | undefined;
  source: ImportSource;
}

/**
 * Vétélevage sessions built from the sealed credentials in the database, cached while the
 * stored credentials stay the same (the token is reused until it expires).
 */
export function createSessionProvider(options: {
  db: Database;
  client: VetelevageClient;
  secrets: SecretBox | undefined;
}) {
  const cache = new Map<string, { sealed: string; session: VetelevageSession }>();
  const box = () => {
    if (!options.secrets)
      throw new AppError('UNAVAILABLE', 'VET_SECRETS_KEY is not set: stored credentials cannot be read');
    return options.secrets;
  };

  const cached = async (key: string, sealed: string, build: (plain: string) => VetelevageSession) => {
    const hit = cache.get(key);
    if (hit && hit.sealed === sealed) return hit.session;
    const session = build(await box().open(sealed, key));
    cache.set(key, { sealed, session });
    return session;
  };

  const forSource = async (source: ImportSource): Promise<VetelevageSession> => {
    const key = sourceKey(source);
    if (source.kind === 'editor') {
      const [editor] = await options.db.select().from(editors).where(eq(editors.id, source.id));
      if (!editor) throw new AppError('NOT_FOUND', `editor ${source.id} is not registered`);
      return cached(key, editor.secretSealed, (secret) =>
        options.client.session({ mode: 'saas', editor: editor.id, secret }),
      );
    }
    const [account] = await options.db.select().from(accounts).where(eq(accounts.id, source.id));
    if (!account) throw new AppError('NOT_FOUND', `account ${source.id} is not registered`);
    if (account.mode !== 'veterinaire' || !account.login || !account.passwordSealed) {
      throw new AppError(
        'CONFLICT',
        `account ${source.id} is in SaaS mode: it is imported through editor ${account.editorId}`,
      );
    }
    const login = account.login;
    return cached(key, account.passwordSealed, (password) =>
      options.client.session({ mode: 'veterinaire', login, password }),
    );
  };

  return {
    forSource,
    /** The import source of an account: itself in veterinarian mode, its editor in SaaS mode. */
    async sourceOfAccount(accountId: string): Promise<ImportSource> {
      const [account] = await options.db.select().from(accounts).where(eq(accounts.id, accountId));
      if (!account) throw new AppError('NOT_FOUND', `account ${accountId} is not registered`);
      if (account.mode === 'saas') {
        if (!account.editorId)
          throw new AppError('CONFLICT', `account ${accountId} is in SaaS mode without an editor`);
        return { kind: 'editor', id: account.editorId };
      }
      return { kind: 'account', id: account.id };
    },
    async forAccount(accountId: string): Promise<AccountSession> {
      const source = await this.sourceOfAccount(accountId);
      return {
        session: await forSource(source),
        compte: source.kind === 'editor' ? accountId : undefined,
        source,
      };
    },
  };
}
export type SessionProvider = ReturnType<typeof createSessionProvider>;
