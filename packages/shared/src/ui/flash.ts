import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

/** What an action says once its page is shown again: `ok` when it was done, `error` when not. */
export interface Flash {
  tone: 'ok' | 'error';
  text: string;
}

const COOKIE = 'flash';

/**
 * Ends a form action (POST -> 303 -> GET) on `location` with a message saying what happened.
 * The message travels in a short-lived cookie rather than in the URL, so that a name or an id it
 * mentions never lands in access logs or the browser history.
 *
 * @example
 * return redirectWithFlash(c, '/admin', { tone: 'ok', text: 'Import started for 2 accounts' });
 */
export function redirectWithFlash(c: Context, location: string, flash: Flash): Response {
  // setCookie percent-encodes the value and getCookie decodes it.
  setCookie(c, COOKIE, JSON.stringify(flash), {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    maxAge: 60,
  });
  return c.redirect(location, 303);
}

/** The message left by the last action, if any; it is shown once. */
export function takeFlash(c: Context): Flash | undefined {
  const raw = getCookie(c, COOKIE);
  if (raw === undefined) return undefined;
  deleteCookie(c, COOKIE, { path: '/' });
  try {
    const parsed = JSON.parse(raw) as Partial<Flash>;
    if ((parsed.tone === 'ok' || parsed.tone === 'error') && typeof parsed.text === 'string')
      return { tone: parsed.tone, text: parsed.text.slice(0, 500) };
  } catch {
    // A cookie we did not write: nothing to show.
  }
  return undefined;
}
