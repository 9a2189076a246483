import type { AppEnv } from '@hip/shared';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { randomId } from '../crypto.ts';

/**
 * A random value in a cookie of the browser that starts a login, whose hash the login attempt
 * keeps: the callback is honoured only from that browser, so a callback URL (code + state) made
 * by someone else cannot log a regulator into another account (login CSRF, RFC 6749 10.12).
 * The cookie travels only to the callback, and one value serves several logins in parallel tabs.
 */
export function loginCookieName(sessionCookie: string): string {
  return `${sessionCookie}_login`;
}

/** The browser's login binding, created and set when it has none. */
export function browserBinding(c: Context<AppEnv>, sessionCookie: string): string {
  const name = loginCookieName(sessionCookie);
  const existing = getCookie(c, name);
  if (existing && /^[\w-]{43}$/.test(existing)) return existing;
  const value = randomId();
  setCookie(c, name, value, { httpOnly: true, secure: true, sameSite: 'Lax', path: '/auth/callback' });
  return value;
}
