import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { services } from '../src/services.ts';
import { openAdminPage, startProcess, waitForHttp } from './processes.ts';

const deploy = fileURLToPath(new URL('..', import.meta.url));
const deno = fileURLToPath(new URL('../node_modules/.bin/deno', import.meta.url));

// Under `deno serve` no simulator starts: as in production, the outside systems come from the
// environment. Nothing listens on port 9, which /healthz does not need.
const unreachable = 'http://127.0.0.1:9/';
const secret = 'deno-test-secret-0123456789';
const outsideSystems: Record<string, Record<string, string>> = {
  'arcad-sync': {
    ARCAD_URL: unreachable,
    ARCAD_API_TOKEN: secret,
    ARCAD_OIDC_ISSUER: unreachable,
    ARCAD_OIDC_CLIENT_ID: 'arcad-sync',
    ARCAD_OIDC_CLIENT_SECRET: secret,
    SESSION_SECRET: secret,
    LIVIA_API_TOKEN: secret,
  },
};

// Each service's app is Web-standard: it must serve the same under Deno as on Node.
describe('every service under Deno (deno serve, embedded defaults)', () => {
  const base = 38000 + Math.floor(Math.random() * 500) * 10;
  const running = services.map((s, i) =>
    startProcess(
      deno,
      ['serve', '--quiet', '--port', String(base + i), '-A', 'deno/serve.ts'],
      { SERVICE: s.name, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...outsideSystems[s.name] },
      deploy,
    ),
  );
  afterAll(() => Promise.all(running.map((r) => r.stop())));

  it.each(services.map((s, i) => [s.name, i] as const))(
    '%s answers /healthz and /openapi.json, and renders its admin page',
    async (name, i) => {
      const health = await waitForHttp(`http://127.0.0.1:${base + i}/healthz`, running[i]!.output, 180_000);
      expect(await health.json()).toEqual({ status: 'ok', service: name });
      const doc = await (await fetch(`http://127.0.0.1:${base + i}/openapi.json`)).json();
      expect(doc).toMatchObject({ openapi: '3.1.0', info: { title: name } });
      // Deno compiles the pages' JSX itself: the admin page must render there too.
      const admin = await openAdminPage(`http://127.0.0.1:${base + i}`);
      expect(admin.status, `${admin.url}: ${admin.html.slice(0, 300)}`).toBeLessThan(400);
      if (admin.status === 200) expect(admin.html.startsWith('<!doctype html>')).toBe(true);
    },
    // Five Deno processes compiling and migrating at once, next to other packages' tests.
    200_000,
  );
});
