import type { DatabaseHandle } from '@hip/shared';
import { listen } from '@hip/shared/node';
import { startServiceForTest, waitFor } from '@hip/shared/testing';
import type { Page } from 'playwright-core';
import { startArcadSimulator } from '../sim/index.ts';
import type { LiviaTenantData } from '../sim/livia.ts';
import { pushLiviaTenant } from '../sim/liviaPusher.ts';
import { arcadSync } from '../src/service.ts';

export const SERVICE_ORIGIN = 'http://service.test';
export const LIVIA_TOKEN = 'livia-test-token-0123456789';
export const ARCAD_TENANT = 'livia25';

export type Simulator = Awaited<ReturnType<typeof startArcadSimulator>>;
export type Service = Awaited<ReturnType<typeof startServiceForTest>>;

export const startSimulator = (options: { latencyMs?: number; origin?: string } = {}) =>
  startArcadSimulator({
    arcadTenant: ARCAD_TENANT,
    redirectUris: [`${options.origin ?? SERVICE_ORIGIN}/auth/callback`],
    // An expert of a tenant this ARCAD360 does not hold: activation must refuse it.
    extraAccounts: [
      { login: 'orphan', password: 'orphan', name: 'Olga Orphan', roles: ['expert'], arcadTenant: 'livia52' },
    ],
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
  });

export const serviceEnv = (sim: Simulator, extra: Record<string, string> = {}) => ({
  ...sim.env,
  PUBLIC_URL: SERVICE_ORIGIN,
  SESSION_SECRET: 'test-session-secret-0123456789',
  LIVIA_API_TOKEN: LIVIA_TOKEN,
  ARCAD_TIMEOUT_MS: '1000',
  FLOW_CONCURRENCY: '4',
  ...extra,
});

export const startService = (
  sim: Simulator,
  options: { database?: DatabaseHandle; env?: Record<string, string> } = {},
) =>
  startServiceForTest(arcadSync, {
    env: serviceEnv(sim, options.env),
    ...(options.database ? { database: options.database } : {}),
  });

/** A tiny cookie jar: name=value per origin, enough for the OpenID round trip. */
function jar() {
  const cookies = new Map<string, Map<string, string>>();
  return {
    store(origin: string, res: Response) {
      const mine = cookies.get(origin) ?? new Map<string, string>();
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const [name, ...value] = (pair as string).split('=');
        if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) mine.delete(name as string);
        else mine.set(name as string, value.join('='));
      }
      cookies.set(origin, mine);
    },
    header(origin: string) {
      return [...(cookies.get(origin) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
    },
  };
}

/**
 * Logs in through the simulator's real OpenID provider, following every redirect by hand (the
 * service answers in-process at `origin`, the provider over HTTP). Returns the service's cookie header.
 */
export async function loginThroughArcad(
  svc: Service,
  login: string,
  password = login,
  origin = SERVICE_ORIGIN,
): Promise<string> {
  const cookies = jar();
  const call = async (url: URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const cookie = cookies.header(url.origin);
    if (cookie) headers.set('cookie', cookie);
    const res =
      url.origin === origin
        ? await svc.request(url.pathname + url.search, { ...init, headers, redirect: 'manual' })
        : await fetch(url, { ...init, headers, redirect: 'manual' });
    cookies.store(url.origin, res);
    return res;
  };
  let url = new URL('/auth/login?next=/console', origin);
  let res = await call(url);
  for (let hop = 0; hop < 12; hop++) {
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url);
      if (url.origin === origin && url.pathname === '/console') return cookies.header(origin);
      res = await call(url);
      continue;
    }
    const html = await res.text();
    const action = html.match(/action="([^"]+)"/)?.[1];
    if (!action || res.status !== 200)
      throw new Error(`login stuck at ${url.href}: HTTP ${res.status} ${html.slice(0, 300)}`);
    if (html.includes('role="alert"')) throw new Error('the simulator refused the credentials');
    url = new URL(action, url);
    res = await call(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login, password }).toString(),
    });
  }
  throw new Error('login did not come back to the console');
}

export async function activate(svc: Service, cookie: string, tenant: string, arcadTenant = ARCAD_TENANT) {
  const res = await svc.request(`/tenants/${tenant}/activation`, {
    method: 'PUT',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ arcadTenant }),
  });
  if (res.status !== 200) throw new Error(`activation failed: ${res.status} ${await res.text()}`);
}

export const push = (svc: Service, tenant: string, data: Partial<LiviaTenantData>) =>
  pushLiviaTenant((path, init) => svc.request(path, init), tenant, LIVIA_TOKEN, {
    users: [],
    establishments: [],
    activities: [],
    residents: [],
    records: [],
    familyContacts: [],
    intervenants: [],
    ...data,
  });

export async function startFlow(svc: Service, cookie: string, tenant: string, flow: string) {
  return svc.request(`/tenants/${tenant}/flows/${flow}/runs`, { method: 'POST', headers: { cookie } });
}

export interface RunReport {
  id: string;
  mode: string;
  status: string;
  total: number;
  sent: number;
  errors: number;
  skipped: number;
  skippedReasons: Record<string, number>;
  interruptedReason: string | null;
  errorList: { id: number; entity: string; liviaId: string; reason: string; retryable: boolean | null }[];
}

export async function waitForRun(
  svc: Service,
  tenant: string,
  runId: string,
  cookie: string,
  timeoutMs = 20_000,
): Promise<RunReport> {
  return waitFor(
    async () => {
      const res = await svc.request(`/tenants/${tenant}/runs/${runId}`, { headers: { cookie } });
      const report = (await res.json()) as RunReport;
      return report.status !== 'running' ? report : null;
    },
    { timeoutMs, what: `run ${runId}`, intervalMs: 50 },
  );
}

/** Starts a flow and waits for its end-of-flow report. */
export async function runFlow(
  svc: Service,
  cookie: string,
  tenant: string,
  flow: string,
  timeoutMs = 20_000,
): Promise<RunReport> {
  const res = await startFlow(svc, cookie, tenant, flow);
  if (res.status !== 202) throw new Error(`${flow} refused: ${res.status} ${await res.text()}`);
  const { runId } = (await res.json()) as { runId: string };
  return waitForRun(svc, tenant, runId, cookie, timeoutMs);
}

let counter = 0;
/** A tenant name no other test uses. */
export const uniqueTenant = () => `t${Date.now().toString(36)}${(counter++).toString(36)}`;

/**
 * The console over real HTTP for a browser: the service answers at an origin known before it
 * exists (the OpenID redirect URI needs it), next to its ARCAD360 simulator.
 */
export async function startConsole(options: { latencyMs?: number; env?: Record<string, string> } = {}) {
  let svc: Service | undefined;
  const server = await listen({ fetch: (request) => (svc as Service).app.fetch(request) }, 0, '127.0.0.1');
  const origin = `http://127.0.0.1:${server.port}`;
  const sim = await startSimulator({
    origin,
    ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
  });
  svc = await startService(sim, { env: { PUBLIC_URL: origin, ...options.env } });
  const service = svc;
  return {
    origin,
    sim,
    svc: service,
    async stop() {
      await server.close();
      await service.stop();
      await sim.stop();
    },
  };
}

/** Logs the page in through ARCAD360's login form as the privileged demo account. */
export async function logInAsExpert(page: Page, origin: string) {
  await page.goto(`${origin}/console`);
  await page.click('text=Log in with ARCAD');
  await page.fill('input[name=login]', 'expert');
  await page.fill('input[name=password]', 'expert');
  await page.click('button[type=submit]');
  await page.waitForURL(`${origin}/console`);
}
