import type { Database } from '@hip/shared';
import { and, eq, gt, isNull, lt, type SQL } from 'drizzle-orm';
import { jwtVerify, SignJWT } from 'jose';
import { randomId } from '../crypto.ts';
import { pendingContexts } from '../db/schema.ts';
import type { SearchContext } from '../domain/context.ts';

/** Patient data for booking (P1): only ever sent server-to-server, never in a URL. */
export interface BookingData {
  patient: {
    lastName: string;
    firstName: string;
    birthDate?: string;
    sex?: 'F' | 'M' | 'U';
    phone?: string;
    email?: string;
  };
  reason?: string;
  lrmCaseId?: string;
}

export interface StoredContext {
  context: SearchContext;
  booking?: BookingData;
  /** The regulator the token was issued for, so the SAS can check it is the one logged in. */
  regulator?: { nationalId: string };
  /** How the SAS gets it once the regulator is logged in. */
  mode?: 'plain' | 'token';
}

export type RedeemResult =
  | { ok: true; stored: StoredContext; expiresAt: Date }
  | { ok: false; reason: 'invalid' | 'expired' | 'used' };

const TOKEN_AUDIENCE = 'sas-platform';

/**
 * Contexts held server side: launches (prepared by POST /contexts, opened by the browser) and
 * token-mode contexts (a signed JWT whose `jti` the SAS redeems once, server to server).
 */
export function createContextStore(deps: {
  db: Database;
  signingKey: Uint8Array;
  issuer: string;
  tokenTtlMs: number;
  launchTtlMs: number;
  now?: () => Date;
}) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  async function put(kind: 'launch' | 'token', stored: StoredContext, ttlMs: number) {
    const id = randomId();
    const at = now();
    const expiresAt = new Date(at.getTime() + ttlMs);
    await db.delete(pendingContexts).where(lt(pendingContexts.expiresAt, new Date(at.getTime() - 3_600_000)));
    await db.insert(pendingContexts).values({
      id,
      kind,
      origin: stored.context.origin,
      context: stored as object,
      createdAt: at,
      expiresAt,
    });
    return { id, expiresAt };
  }

  /** Marks a row used if it is still usable; exactly one caller wins. */
  async function consume(kind: 'launch' | 'token', id: string): Promise<RedeemResult> {
    const at = now();
    const [taken] = await db
      .update(pendingContexts)
      .set({ consumedAt: at })
      .where(
        and(
          eq(pendingContexts.id, id),
          eq(pendingContexts.kind, kind),
          isNull(pendingContexts.consumedAt),
          gt(pendingContexts.expiresAt, at),
        ) as SQL,
      )
      .returning();
    if (taken) return { ok: true, stored: taken.context as StoredContext, expiresAt: taken.expiresAt };
    const [seen] = await db.select().from(pendingContexts).where(eq(pendingContexts.id, id));
    if (!seen || seen.kind !== kind) return { ok: false, reason: 'invalid' };
    return { ok: false, reason: seen.consumedAt ? 'used' : 'expired' };
  }

  return {
    createLaunch: (stored: StoredContext) => put('launch', stored, deps.launchTtlMs),
    takeLaunch: (id: string) => consume('launch', id),

    /** A signed token naming a stored context; it carries no patient data itself. */
    async issueToken(stored: StoredContext): Promise<string> {
      const { id } = await put('token', stored, deps.tokenTtlMs);
      const issuedAt = Math.floor(now().getTime() / 1000);
      return new SignJWT({ origin: stored.context.origin })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setJti(id)
        .setIssuer(deps.issuer)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + Math.ceil(deps.tokenTtlMs / 1000))
        .sign(deps.signingKey);
    },

    async redeemToken(token: string): Promise<RedeemResult> {
      let jti: string | undefined;
      try {
        const { payload } = await jwtVerify(token, deps.signingKey, {
          issuer: deps.issuer,
          audience: TOKEN_AUDIENCE,
          algorithms: ['HS256'],
          currentDate: now(),
        });
        jti = payload.jti;
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_JWT_EXPIRED') return { ok: false, reason: 'expired' };
        return { ok: false, reason: 'invalid' };
      }
      if (!jti) return { ok: false, reason: 'invalid' };
      return consume('token', jti);
    },
  };
}

export type ContextStore = ReturnType<typeof createContextStore>;
