import { type AppEnv, AppError } from '@hip/shared';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { PscError } from '../../adapters/psc.ts';
import type { StoredContext } from '../../contexts/pending.ts';
import type { AppDeps } from '../../deps.ts';
import { checkSearchContext, type RawSearchContext, type SearchContext } from '../../domain/context.ts';
import { buildSasSearchUrl, buildSasTokenUrl } from '../../domain/sas-url.ts';
import { browserBinding } from '../../sso/login-cookie.ts';
import { SearchRefusedError } from './refused.ts';

export const callbackUri = (deps: AppDeps) =>
  new URL('/auth/callback', deps.settings.publicBaseUrl).toString();

/** The context checked against the SAS rules, or the refusal the SAS would have made silently. */
export function checkedContext(deps: AppDeps, raw: RawSearchContext): SearchContext {
  const check = checkSearchContext(raw, { origins: deps.settings.origins, specialties: deps.specialties });
  if (check.ok) return check.context;
  if (check.kind === 'forbidden-origin') {
    throw new SearchRefusedError('FORBIDDEN', check.problem.message, [check.problem], { listFields: false });
  }
  throw new SearchRefusedError(
    'UNPROCESSABLE',
    `the SAS would drop this search and show its home page: ${check.problems.map((p) => p.message).join('; ')}`,
    check.problems,
  );
}

/** Redirects never get cached, and never leak the SAS URL as a referrer. */
function redirect(c: Context<AppEnv>, location: string) {
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  return c.redirect(location, 302);
}

/** Where the regulator lands on the SAS: the plain-parameter URL, or a token-only URL. */
async function sasTarget(deps: AppDeps, stored: StoredContext, mode: 'plain' | 'token'): Promise<string> {
  if (mode === 'plain' && !stored.booking) return buildSasSearchUrl(deps.settings.sasBaseUrl, stored.context);
  return buildSasTokenUrl(deps.settings.sasBaseUrl, await deps.contexts.issueToken(stored));
}

/**
 * Sends the regulator to the SAS with the context, after a Pro Santé Connect login when they
 * have no live session yet; the context waits server side during the login.
 */
export async function launch(
  c: Context<AppEnv>,
  deps: AppDeps,
  stored: StoredContext,
  mode: 'plain' | 'token' = deps.settings.redirectMode,
  /** Set right after a login: the new cookie is not in this request yet. */
  loggedIn?: { nationalId: string },
): Promise<Response> {
  let regulator: string | undefined = loggedIn?.nationalId;
  if (loggedIn) stored = { ...stored, regulator: loggedIn };
  else if (deps.sso) {
    const session = await deps.sso.sessions.current(getCookie(c, deps.settings.sessionCookie));
    if (!session) {
      const { id } = await deps.contexts.createLaunch({ ...stored, mode });
      try {
        const browser = browserBinding(c, deps.settings.sessionCookie);
        return redirect(c, await deps.sso.sessions.startLogin(id, callbackUri(deps), browser));
      } catch (error) {
        if (error instanceof PscError) {
          throw new AppError(
            'UPSTREAM_FAILED',
            `cannot start the Pro Santé Connect login: ${error.message}`,
            { cause: error },
          );
        }
        throw error;
      }
    }
    regulator = session.regulator.nationalId;
    stored = { ...stored, regulator: { nationalId: regulator } };
  }
  const effectiveMode = stored.booking ? 'token' : mode;
  const location = await sasTarget(deps, stored, effectiveMode);
  deps.redirectLog.record({
    origin: stored.context.origin,
    mode: effectiveMode,
    regulator: regulator ?? null,
  });
  return redirect(c, location);
}
