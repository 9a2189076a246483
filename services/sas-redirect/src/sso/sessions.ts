import type { Database, Logger } from '@hip/shared';
import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import { isRefreshRefused, type PscClient, type PscTokens } from '../adapters/psc.ts';
import { randomId, sha256 } from '../crypto.ts';
import { loginTransactions, sessions } from '../db/schema.ts';
import type { Regulator } from '../domain/regulator.ts';

export interface SessionSettings {
  ttlMs: number;
  idleMs: number;
  /** Refresh the access token when it has less than this left (PSC tokens live ~2 min). */
  refreshMarginMs: number;
  loginTtlMs: number;
}

export interface ActiveSession {
  regulator: Regulator;
  idToken?: string;
}

/**
 * Regulator sessions kept server side: the cookie holds a random id, the table its hash and the
 * PSC tokens. A session lives as long as PSC keeps it alive: when PSC refuses the refresh
 * (`invalid_grant`), it is gone; when PSC cannot be reached, it is kept and refreshed next time.
 */
export function createSessionStore(deps: {
  db: Database;
  psc: PscClient;
  logger: Logger;
  settings: SessionSettings;
  now?: () => Date;
}) {
  const { db, psc, logger, settings } = deps;
  const now = deps.now ?? (() => new Date());

  const byHash = async (idHash: string) => {
    const [found] = await db.select().from(sessions).where(eq(sessions.idHash, idHash));
    return found;
  };
  const row = async (cookie: string) => byHash(await sha256(cookie));

  /**
   * PSC rotates refresh tokens: two clicks refreshing at once would send the same token twice and
   * PSC would refuse the second. One refresh per session at a time in this process; between
   * replicas, the new tokens are written only over the refresh token that was used, and a refused
   * refresh first checks whether another request already refreshed the session.
   */
  const refreshing = new Map<string, Promise<'refreshed' | 'refused' | 'unavailable'>>();
  const refreshOnce = (found: typeof sessions.$inferSelect, refreshToken: string) => {
    let pending = refreshing.get(found.idHash);
    if (!pending) {
      pending = refresh(found.idHash, refreshToken).finally(() => refreshing.delete(found.idHash));
      refreshing.set(found.idHash, pending);
    }
    return pending;
  };
  async function refresh(idHash: string, used: string): Promise<'refreshed' | 'refused' | 'unavailable'> {
    // Read before refreshing: a request that read the row just before another refresh finished
    // must not present the used token again (PSC may revoke the whole grant on reuse).
    if ((await byHash(idHash))?.refreshToken !== used) return 'refreshed';
    try {
      const tokens = await psc.refresh(used);
      await db
        .update(sessions)
        .set({
          accessToken: tokens.accessToken,
          accessExpiresAt: new Date(now().getTime() + tokens.expiresIn * 1000),
          ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
          ...(tokens.idToken ? { idToken: tokens.idToken } : {}),
        })
        .where(and(eq(sessions.idHash, idHash), eq(sessions.refreshToken, used)) as SQL);
      return 'refreshed';
    } catch (error) {
      const err = error instanceof Error ? error.message : String(error);
      const again = await byHash(idHash);
      if (!again) return 'refused';
      // Another request or replica refreshed with this token first: its tokens are good.
      if (again.refreshToken !== used) return 'refreshed';
      if (isRefreshRefused(error)) {
        logger.info({ err }, 'PSC refused the refresh, new login');
        await db.delete(sessions).where(eq(sessions.idHash, idHash));
        return 'refused';
      }
      logger.warn({ err }, 'PSC refresh failed, session kept, retried on next use');
      return 'unavailable';
    }
  }

  return {
    /** Starts a PSC login for the browser holding `browser` (see login-cookie.ts); returns the authorize URL. */
    async startLogin(contextId: string | undefined, redirectUri: string, browser: string, returnTo?: string) {
      const start = await psc.beginLogin(redirectUri);
      const at = now();
      // Expired attempts are swept here rather than by a timer: logins are rare.
      await db.delete(loginTransactions).where(lt(loginTransactions.expiresAt, at));
      await db.insert(loginTransactions).values({
        state: start.state,
        nonce: start.nonce,
        codeVerifier: start.codeVerifier,
        contextId: contextId ?? null,
        returnTo: returnTo ?? null,
        browserHash: await sha256(browser),
        expiresAt: new Date(at.getTime() + settings.loginTtlMs),
      });
      return start.url;
    },

    /**
     * Takes (once) the login attempt a callback's state belongs to, if it is still alive and the
     * callback comes from the browser that started it.
     */
    async takeLogin(state: string, browser: string | undefined) {
      const [tx] = await db.delete(loginTransactions).where(eq(loginTransactions.state, state)).returning();
      if (!tx || tx.expiresAt < now()) return { ok: false as const, reason: 'unknown' as const };
      if (!browser || tx.browserHash !== (await sha256(browser))) {
        return { ok: false as const, reason: 'other-browser' as const };
      }
      return { ok: true as const, tx };
    },

    /** Creates a session with a new id, dropping the one the browser had: ids rotate at login. */
    async create(regulator: Regulator, tokens: PscTokens, previousCookie?: string): Promise<string> {
      if (previousCookie) await db.delete(sessions).where(eq(sessions.idHash, await sha256(previousCookie)));
      const cookie = randomId();
      const at = now();
      await db.insert(sessions).values({
        idHash: await sha256(cookie),
        nationalId: regulator.nationalId,
        profession: regulator.profession ?? null,
        specialty: regulator.specialty ?? null,
        displayName: regulator.displayName ?? null,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? null,
        idToken: tokens.idToken ?? null,
        accessExpiresAt: new Date(at.getTime() + tokens.expiresIn * 1000),
        createdAt: at,
        lastSeenAt: at,
        expiresAt: new Date(at.getTime() + settings.ttlMs),
      });
      return cookie;
    },

    /**
     * The live session of a cookie, refreshing its access token first when it is about to expire.
     * Undefined when absent, expired, idle too long, or when PSC refuses the refresh.
     * Concurrent calls for one session share one refresh.
     */
    async current(cookie: string | undefined): Promise<ActiveSession | undefined> {
      if (!cookie) return undefined;
      const found = await row(cookie);
      if (!found) return undefined;
      const at = now();
      if (found.expiresAt < at || found.lastSeenAt.getTime() + settings.idleMs < at.getTime()) {
        await db.delete(sessions).where(eq(sessions.idHash, found.idHash));
        return undefined;
      }
      if (found.accessExpiresAt.getTime() - at.getTime() < settings.refreshMarginMs) {
        if (!found.refreshToken) {
          await db.delete(sessions).where(eq(sessions.idHash, found.idHash));
          return undefined;
        }
        if ((await refreshOnce(found, found.refreshToken)) === 'refused') return undefined;
      }
      const [live] = await db
        .update(sessions)
        .set({ lastSeenAt: at })
        .where(eq(sessions.idHash, found.idHash))
        .returning();
      if (!live) return undefined;
      return {
        regulator: {
          nationalId: live.nationalId,
          ...(live.profession ? { profession: live.profession } : {}),
          ...(live.specialty ? { specialty: live.specialty } : {}),
          ...(live.displayName ? { displayName: live.displayName } : {}),
        },
        ...(live.idToken ? { idToken: live.idToken } : {}),
      };
    },

    async end(cookie: string): Promise<{ idToken?: string } | undefined> {
      const [gone] = await db
        .delete(sessions)
        .where(eq(sessions.idHash, await sha256(cookie)))
        .returning();
      return gone ? (gone.idToken ? { idToken: gone.idToken } : {}) : undefined;
    },

    async sweep() {
      const at = now();
      await db
        .delete(sessions)
        .where(
          or(
            lt(sessions.expiresAt, at),
            lt(sessions.lastSeenAt, new Date(at.getTime() - settings.idleMs)),
          ) as SQL,
        );
    },

    async count() {
      return db.$count(sessions);
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
