import { requestJson, UpstreamError, type z } from '@hip/shared';
import {
  type Act,
  ActList,
  type DictionaryProduct,
  ProductDictionary,
  parseVisits,
  type ReceivedBatch,
  ReferenceTable,
  type ReferenceTableName,
  TokenResponse,
  VisitBatchEnvelope,
} from './contract.ts';

export const SYSTEM = 'Vétélevage';

/** Who the gateway speaks as: one vet account, or the LGCV editor for all its linked accounts. */
export type VetelevageCredentials =
  | { mode: 'veterinaire'; login: string; password: string }
  | { mode: 'saas'; editor: string; secret: string };

/**
 * One authenticated conversation with Vétélevage. In SaaS mode `account` targets one linked
 * account; without it, `getVisits` / `deleteVisits` work on the editor's grouped batch.
 */
export interface VetelevageSession {
  /** The frozen batch; visits that do not match the contract come apart in `rejected`. */
  getVisits(account?: string): Promise<ReceivedBatch>;
  deleteVisits(lot: string, account?: string): Promise<void>;
  /** Replaces the whole act list held by Vétélevage. */
  postActs(acts: Act[], account?: string): Promise<void>;
  getActs(account?: string): Promise<Act[]>;
  referenceTable(name: ReferenceTableName, account?: string): Promise<ReferenceTable>;
  productDictionary(account?: string): Promise<DictionaryProduct[]>;
}

export interface VetelevageClient {
  session(credentials: VetelevageCredentials): VetelevageSession;
}

/**
 * The Vétélevage API client (assumed contract in the README). Tokens are cached per session
 * and renewed once when a call answers 401 (expired or revoked); a 401 on the token request
 * itself means the credentials are wrong and is not retried.
 */
export function createVetelevageClient(options: {
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}): VetelevageClient {
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const url = (path: string, query: Record<string, string | undefined> = {}) => {
    const u = new URL(path, base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  };
  const common = { timeoutMs: options.timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) };

  return {
    session(credentials) {
      let token: { value: string; expiresAt: number } | undefined;

      const authenticate = async (): Promise<string> => {
        if (token && token.expiresAt > Date.now() + 5_000) return token.value;
        const json =
          credentials.mode === 'veterinaire'
            ? { mode: 'veterinaire', identifiant: credentials.login, mot_de_passe: credentials.password }
            : { mode: 'saas', editeur: credentials.editor, secret: credentials.secret };
        try {
          const answer = await requestJson(SYSTEM, url('auth/token'), {
            ...common,
            method: 'POST',
            json,
            schema: TokenResponse,
          });
          token = { value: answer.jeton, expiresAt: Date.now() + answer.expire_dans * 1000 };
          return token.value;
        } catch (error) {
          if (error instanceof UpstreamError && error.details.status === 401) {
            const who =
              credentials.mode === 'veterinaire'
                ? `login ${credentials.login}`
                : `editor ${credentials.editor}`;
            throw new UpstreamError(
              SYSTEM,
              'status',
              `refused the ${credentials.mode} credentials of ${who} (HTTP 401)`,
              error.details,
              { cause: error },
            );
          }
          throw error;
        }
      };

      const call = async <S extends z.ZodType | undefined>(
        method: string,
        path: string,
        query: Record<string, string | undefined>,
        schema: S,
        json?: unknown,
      ) => {
        for (let attempt = 1; ; attempt++) {
          const bearer = await authenticate();
          try {
            return (await requestJson(SYSTEM, url(path, query), {
              ...common,
              method,
              headers: { authorization: `Bearer ${bearer}` },
              ...(json !== undefined ? { json } : {}),
              ...(schema ? { schema } : {}),
            } as never)) as S extends z.ZodType ? z.infer<S> : unknown;
          } catch (error) {
            if (attempt === 1 && error instanceof UpstreamError && error.details.status === 401) {
              token = undefined;
              continue;
            }
            throw error;
          }
        }
      };

      return {
        async getVisits(account) {
          const batch = await call('GET', 'visites', { compte: account }, VisitBatchEnvelope);
          return parseVisits(batch.lot, batch.visites);
        },
        async deleteVisits(lot, account) {
          await call('DELETE', 'visites', { compte: account, lot }, undefined);
        },
        async postActs(acts, account) {
          await call('POST', 'actes', { compte: account }, undefined, { actes: acts });
        },
        getActs: async (account) => (await call('GET', 'actes', { compte: account }, ActList)).actes,
        referenceTable: (name, account) => call('GET', `tables/${name}`, { compte: account }, ReferenceTable),
        productDictionary: async (account) =>
          (await call('GET', 'produits', { compte: account }, ProductDictionary)).produits,
      };
    },
  };
}
