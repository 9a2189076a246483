import { type AppEnv, AppError, redirectWithFlash } from '@hip/shared';
import type { Context } from 'hono';

/** Ends a console action on `location` saying what was done. */
export const done = (c: Context, location: string, text: string) =>
  redirectWithFlash(c, location, { tone: 'ok', text });

/**
 * Ends a console action that failed on `location` with the reason, whatever the error: a browser
 * must land on the page with a message, never on a problem document or a bare 500. Our own
 * refusals (lock, session, validation) say why; anything else is logged and quoted by request id.
 */
export function failed(c: Context<AppEnv>, location: string, what: string, error: unknown) {
  if (error instanceof AppError) {
    const fields = (error.errors ?? []).map((e) => `${e.path} ${e.message}`).join('; ');
    return redirectWithFlash(c, location, {
      tone: 'error',
      text: `${what}: ${error.detail}${fields ? ` (${fields})` : ''}`,
    });
  }
  const requestId = c.get('requestId');
  c.get('logger').error({ err: error, requestId }, `console action failed: ${what}`);
  return redirectWithFlash(c, location, {
    tone: 'error',
    text: `${what}: unexpected error; quote request id ${requestId} to the operators`,
  });
}
