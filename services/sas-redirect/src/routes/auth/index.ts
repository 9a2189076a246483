import { AppError, createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { PscError } from '../../adapters/psc.ts';
import type { AppDeps } from '../../deps.ts';
import { regulatorFromClaims } from '../../domain/regulator.ts';
import { browserBinding, loginCookieName } from '../../sso/login-cookie.ts';
import { callbackUri, launch } from '../search/launch.ts';

const callbackRoute = createRoute({
  method: 'get',
  path: '/auth/callback',
  summary: 'Pro Santé Connect redirect URI: finishes the login and continues to the SAS',
  request: {
    query: z.object({
      code: z.string().optional(),
      state: z.string().optional(),
      iss: z.string().optional(),
      error: z.string().optional(),
      error_description: z.string().optional(),
    }),
  },
  responses: {
    302: { description: 'to the SAS with the waiting context, or to the admin home' },
    ...errorResponses('BAD_REQUEST', 'UNAUTHENTICATED', 'UPSTREAM_FAILED'),
  },
});

const sessionRoute = createRoute({
  method: 'get',
  path: '/auth/session',
  summary: 'The regulator of the current session',
  responses: {
    200: {
      description: 'logged in',
      content: {
        'application/json': {
          schema: z.object({
            nationalId: z.string(),
            profession: z.string().optional(),
            specialty: z.string().optional(),
            displayName: z.string().optional(),
          }),
        },
      },
    },
    ...errorResponses('UNAUTHENTICATED'),
  },
});

const loginRoute = createRoute({
  method: 'get',
  path: '/auth/login',
  summary: 'Log in at Pro Santé Connect without a search (back to the admin home)',
  responses: {
    302: { description: 'to the PSC authorize endpoint' },
    ...errorResponses('UPSTREAM_FAILED'),
  },
});

const logoutRoute = createRoute({
  method: 'get',
  path: '/auth/logout',
  summary: 'RP-initiated logout: ends our session, then the PSC session (end-session endpoint)',
  responses: { 302: { description: 'to the PSC end-session endpoint, or home when PSC has none' } },
});

export function registerAuthRoutes(app: ServiceApp, deps: AppDeps) {
  const sso = deps.sso;
  const cookieName = deps.settings.sessionCookie;
  if (!sso) return;

  app.openapi(callbackRoute, async (c) => {
    const query = c.req.valid('query');
    if (!query.state)
      throw new AppError('BAD_REQUEST', 'the callback has no state; start again from the LRM button');
    const taken = await sso.sessions.takeLogin(query.state, getCookie(c, loginCookieName(cookieName)));
    if (!taken.ok) {
      throw new AppError(
        'BAD_REQUEST',
        taken.reason === 'unknown'
          ? 'unknown or expired login (state); start again from the LRM button'
          : 'this login was started in another browser (login cookie missing or different); start again from the LRM button',
      );
    }
    const tx = taken.tx;
    if (query.error) {
      throw new AppError(
        'UNAUTHENTICATED',
        `Pro Santé Connect refused the login: ${query.error}${query.error_description ? ` (${query.error_description})` : ''}`,
      );
    }
    let cookie: string;
    let nationalId: string;
    try {
      const tokens = await sso.psc.completeLogin(new URL(c.req.url.replace(/^[^?]*/, callbackUri(deps))), tx);
      const claims = await sso.psc.userinfo(tokens.accessToken, tokens.subject);
      const regulator = regulatorFromClaims(claims);
      if ('error' in regulator) throw new AppError('UNAUTHENTICATED', regulator.error);
      cookie = await sso.sessions.create(regulator, tokens, getCookie(c, cookieName));
      nationalId = regulator.nationalId;
    } catch (error) {
      if (error instanceof PscError) {
        throw new AppError(error.step === 'token' ? 'UNAUTHENTICATED' : 'UPSTREAM_FAILED', error.message, {
          cause: error,
        });
      }
      throw error;
    }
    setCookie(c, cookieName, cookie, {
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
      path: '/',
      maxAge: deps.settings.sessionMaxAgeSeconds,
    });
    if (tx.contextId) {
      const taken = await deps.contexts.takeLaunch(tx.contextId);
      if (taken.ok) return launch(c, deps, taken.stored, taken.stored.mode, { nationalId }) as never;
      throw new AppError('GONE', 'logged in, but the search waited too long; launch it again from the LRM');
    }
    c.header('Cache-Control', 'no-store');
    return c.redirect(tx.returnTo ?? '/', 302) as never;
  });

  app.openapi(sessionRoute, async (c) => {
    const session = await sso.sessions.current(getCookie(c, cookieName));
    if (!session) throw new AppError('UNAUTHENTICATED', 'no Pro Santé Connect session');
    return c.json(session.regulator, 200);
  });

  app.openapi(loginRoute, async (c) => {
    try {
      const browser = browserBinding(c, cookieName);
      return c.redirect(
        await sso.sessions.startLogin(undefined, callbackUri(deps), browser, '/'),
        302,
      ) as never;
    } catch (error) {
      if (error instanceof PscError) throw new AppError('UPSTREAM_FAILED', error.message, { cause: error });
      throw error;
    }
  });

  /** RP-initiated logout: ends our session, then PSC's through its end-session endpoint. */
  app.openapi(logoutRoute, async (c) => {
    const cookie = getCookie(c, cookieName);
    const ended = cookie ? await sso.sessions.end(cookie) : undefined;
    deleteCookie(c, cookieName, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' });
    c.header('Cache-Control', 'no-store');
    const after = new URL('/', deps.settings.publicBaseUrl).toString();
    const endSession = await sso.psc.logoutUrl(ended?.idToken, after).catch(() => undefined);
    return c.redirect(endSession ?? after, 302) as never;
  });
}
