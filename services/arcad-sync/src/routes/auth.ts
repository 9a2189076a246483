import { AppError, type ServiceApp } from '@hip/shared';
import type { ArcadLogin } from '../adapters/arcadLogin.ts';
import type { Sessions } from '../session.ts';
import { done, failed } from '../ui/actions.ts';

/** Only paths of this service: an open redirect after login would be a phishing tool. */
const safeNext = (next: string | undefined) =>
  next?.startsWith('/') && !next.startsWith('//') ? next : '/console';

/** "Log in with ARCAD": redirect to ARCAD360's OpenID provider, come back with a session. */
export function registerAuth(
  app: ServiceApp,
  deps: { login: ArcadLogin; sessions: Sessions; publicUrl: string },
) {
  app.get('/auth/login', async (c) => {
    let started: Awaited<ReturnType<ArcadLogin['begin']>>;
    try {
      started = await deps.login.begin(safeNext(c.req.query('next')));
    } catch (error) {
      // A browser follows this link: it lands on the console with the reason, not on a problem document.
      return failed(
        c,
        '/console',
        'Login failed',
        new AppError(
          'UPSTREAM_FAILED',
          `ARCAD360 identity provider unreachable: ${(error as Error).message}`,
        ),
      );
    }
    await deps.sessions.savePending(c, started.pending);
    return c.redirect(started.url, 302);
  });

  app.get('/auth/callback', async (c) => {
    const pending = await deps.sessions.takePending(c);
    if (!pending)
      return failed(
        c,
        '/console',
        'Login failed',
        new AppError('BAD_REQUEST', 'login expired or started elsewhere: log in again'),
      );
    const callback = new URL(`/auth/callback${new URL(c.req.url).search}`, deps.publicUrl);
    let identity: Awaited<ReturnType<ArcadLogin['finish']>>;
    try {
      identity = await deps.login.finish(callback, pending);
    } catch (error) {
      return failed(
        c,
        '/console',
        'Login failed',
        new AppError('UNAUTHENTICATED', `ARCAD360 refused the login: ${(error as Error).message}`),
      );
    }
    await deps.sessions.start(c, identity);
    return c.redirect(pending.next, 302);
  });

  app.post('/auth/logout', (c) => {
    deps.sessions.end(c);
    return done(c, '/console', 'Logged out');
  });

  app.get('/auth/session', async (c) => c.json({ session: await deps.sessions.get(c) }));
}
