import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { CHROMIUM_PATH } from './browser.ts';
import { NATS_SERVER_PATH } from './nats-servers.ts';

/** The real servers integration tests can use, and the variable naming each. */
export const SERVER_VARIABLES = { nats: 'NATS_URL', postgres: 'DATABASE_URL', rabbitmq: 'AMQP_URL' } as const;
export type ServerName = keyof typeof SERVER_VARIABLES;

const env = globalThis.process?.env ?? {};
export const isCI = env.CI === 'true' || env.CI === '1';

/** The URL of a real server from the environment, or undefined. */
export function serverUrl(server: ServerName): string | undefined {
  return env[SERVER_VARIABLES[server]] || undefined;
}

/** Programs some suites drive, and how to get them (CI installs them). */
const TOOLS = {
  chromium: { path: CHROMIUM_PATH, install: 'apt-get install chromium' },
  qpdf: { path: '/usr/bin/qpdf', install: 'apt-get install qpdf' },
  pdftotext: { path: '/usr/bin/pdftotext', install: 'apt-get install poppler-utils' },
  'nats-server': { path: NATS_SERVER_PATH, install: 'apt-get install nats-server' },
} as const;
export type ToolName = keyof typeof TOOLS;

/**
 * A suite that needs a program of the machine (headless Chromium, qpdf...): like
 * `describeWithServers`, it reports itself as not run where the program is missing, and fails
 * under CI, which installs them.
 */
export function describeWithTools(tools: ToolName[], name: string, body: () => void): void {
  const missing = tools.filter((t) => !existsSync(TOOLS[t].path)).map((t) => `${t} (${TOOLS[t].install})`);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  if (isCI) throw new Error(`"${name}" needs ${missing.join(', ')}, which CI must install`);
  process.stderr.write(`[not run] ${name}: needs ${missing.join(', ')}\n`);
  describe.skipIf(true)(`${name} [not run: needs ${missing.join(', ')}]`, body);
}

/**
 * A suite that needs real servers. When one is missing it does not run and says so by name;
 * under CI a missing server fails the run instead, since CI always has them.
 *
 * @example
 * describeWithServers(['nats', 'postgres'], 'document chain on real servers', () => { ... });
 */
export function describeWithServers(servers: ServerName[], name: string, body: () => void): void {
  const missing = servers.filter((s) => !serverUrl(s)).map((s) => SERVER_VARIABLES[s]);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  if (isCI) {
    throw new Error(`"${name}" needs ${missing.join(', ')}, which CI must provide`);
  }
  process.stderr.write(`[not run] ${name}: needs ${missing.join(', ')}\n`);
  describe.skipIf(true)(`${name} [not run: needs ${missing.join(', ')}]`, body);
}
