import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@hip/shared/testing';
import { portVariable, services } from '../../src/services.ts';

const repositoryRoot = new URL('../../..', import.meta.url).pathname;

/** The platform as a newcomer runs it: `pnpm start` at the repository root, nothing configured. */
export interface PlatformAsUser {
  /** `http://localhost:<INDEX_PORT>` */
  indexUrl: string;
  /** `http://localhost:<port>` of a service's pages, e.g. `serviceUrl('vet-gateway')`. */
  serviceUrl(name: string): string;
  /** First port of the simulators' range: their ports are the platform's defaults shifted by it. */
  simulatorPortBase: number;
  /** Milliseconds from `pnpm start` to the index page answering. */
  startedInMs: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the whole platform exactly as the README's first command does (`pnpm start` from the
 * repository root: one process, embedded bus and database, simulators), with no server URL in
 * its environment even where the test runner has them. Only ports and the data folder differ,
 * so that it can run beside a platform a developer has started.
 */
export async function startPlatformAsUser(): Promise<PlatformAsUser> {
  // Below Linux's ephemeral range (32768+), where an outgoing connection could hold a port.
  const base = 20000 + Math.floor(Math.random() * 80) * 100;
  const dataDir = mkdtempSync(join(tmpdir(), 'acceptance-'));
  const env: Record<string, string> = {
    ...process.env,
    NATS_URL: '',
    DATABASE_URL: '',
    AMQP_URL: '',
    DATA_DIR: dataDir,
    INDEX_PORT: String(base),
    SIMULATOR_PORTS: String(base + 10),
  };
  const ports = new Map(services.map((s, i) => [s.name, base + 1 + i]));
  for (const [name, port] of ports) env[portVariable(name)] = String(port);

  const startedAt = performance.now();
  // Its own process group, so that stopping it stops pnpm and the node process it runs.
  const child: ChildProcess = spawn('pnpm', ['start'], {
    cwd: repositoryRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const indexUrl = `http://localhost:${base}`;
  let started = false;
  await Promise.race([
    waitFor(
      async () => {
        const res = await fetch(indexUrl).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 200, what: `the index page at ${indexUrl}` },
    ),
    exited.then(() => {
      if (!started)
        throw new Error(`pnpm start exited (${child.exitCode ?? child.signalCode}):\n${output.slice(-3000)}`);
    }),
  ]);
  started = true;
  const startedInMs = Math.round(performance.now() - startedAt);

  return {
    indexUrl,
    serviceUrl(name) {
      const port = ports.get(name);
      if (port === undefined) throw new Error(`no service named ${name}`);
      return `http://localhost:${port}`;
    },
    simulatorPortBase: base + 10,
    startedInMs,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(-child.pid, 'SIGTERM');
        const escalation = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 20_000);
        await exited;
        clearTimeout(escalation);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
