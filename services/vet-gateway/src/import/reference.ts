import type {
  DictionaryProduct,
  ReferenceTable,
  ReferenceTableName,
} from '../adapters/vetelevage/contract.ts';
import type { SessionProvider } from './sessions.ts';

/**
 * Reference tables and the SNGTV product dictionary change rarely: read through a cache per
 * account, so the LGCV UI can ask often without hammering Vétélevage.
 */
export function createReferenceCache(options: { sessions: SessionProvider; ttlMs: number }) {
  const cache = new Map<string, { at: number; value: unknown }>();
  const cached = async <T>(key: string, load: () => Promise<T>): Promise<{ value: T; cached: boolean }> => {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < options.ttlMs) return { value: hit.value as T, cached: true };
    const value = await load();
    cache.set(key, { at: Date.now(), value });
    return { value, cached: false };
  };
  return {
    table: (account: string, name: ReferenceTableName) =>
      cached<ReferenceTable>(`${account}:table:${name}`, async () => {
        const { session, compte } = await options.sessions.forAccount(account);
        return session.referenceTable(name, compte);
      }),
    dictionary: (account: string) =>
      cached<DictionaryProduct[]>(`${account}:dictionary`, async () => {
        const { session, compte } = await options.sessions.forAccount(account);
        return session.productDictionary(compte);
      }),
  };
}
export type ReferenceCache = ReturnType<typeof createReferenceCache>;
