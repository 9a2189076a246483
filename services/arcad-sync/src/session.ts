import { AppError } from '@hip/shared';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { PendingLogin } from './adapters/arcadLogin.ts';
import type { ArcadSession } from './domain/session.ts';

const SESSION_COOKIE = 'arcad_session';
const LOGIN_COOKIE = 'arcad_login';
const SESSION_SECONDS = 8 * 3600;

const encode = (value: unknown) => btoa(encodeURIComponent(JSON.stringify(value)));
const decode = <T>(value: string): T | null => {
  try {
    return JSON.parse(decodeURIComponent(atob(value))) as T;
  } catch {
    return null;
  }
};

/** Signed, HTTP-only cookies: the session cannot be forged without SESSION_SECRET. */
export function createSessions(secret: string, secure: boolean) {
  const options = { httpOnly: true, sameSite: 'Lax' as const, path: '/', secure };
  return {
    async get(c: Context): Promise<ArcadSession | null> {
      const raw = await getSignedCookie(c, secret, SESSION_COOKIE);
      const session = raw ? decode<ArcadSession>(raw) : null;
      return session && session.exp > Date.now() / 1000 ? session : null;
    },
    async require(c: Context): Promise<ArcadSession> {
      const session = await this.get(c);
      if (!session) throw new AppError('UNAUTHENTICATED', 'log in with ARCAD360 first (GET /auth/login)');
      return session;
    },
    async start(c: Context, identity: Omit<ArcadSession, 'exp'>) {
      const session: ArcadSession = { ...identity, exp: Math.floor(Date.now() / 1000) + SESSION_SECONDS };
      await setSignedCookie(c, SESSION_COOKIE, encode(session), secret, {
        ...options,
        maxAge: SESSION_SECONDS,
      });
    },
    end(c: Context) {
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
    },
    async savePending(c: Context, pending: PendingLogin) {
      await setSignedCookie(c, LOGIN_COOKIE, encode(pending), secret, { ...options, maxAge: 600 });
    },
    async takePending(c: Context): Promise<PendingLogin | null> {
      const raw = await getSignedCookie(c, secret, LOGIN_COOKIE);
      deleteCookie(c, LOGIN_COOKIE, { path: '/' });
      return raw ? decode<PendingLogin>(raw) : null;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
