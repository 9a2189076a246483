import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portVariable, services } from '../src/services.ts';
import { startProcess, waitForHttp } from './processes.ts';

// What `pnpm start` runs (node --import tsx src/start.ts: one process, so signals reach it
// directly), with the embedded defaults: no NATS, no Postgres, no RabbitMQ.
describe('the whole platform in one process (pnpm start)', () => {
  const base = 28080 + Math.floor(Math.random() * 20) * 100;
  const dataDir = mkdtempSync(join(tmpdir(), 'platform-'));
  const env: Record<string, string> = {
    INDEX_PORT: String(base),
    // Its own simulator ports too, so that it runs beside a platform a developer has started.
    SIMULATOR_PORTS: String(base + 10),
    DATA_DIR: dataDir,
    NATS_URL: '',
    DATABASE_URL: '',
    AMQP_URL: '',
  };
  services.forEach((s, i) => {
    env[portVariable(s.name)] = String(base + i + 1);
  });
  const deploy = new URL('..', import.meta.url).pathname;
  const platform = startProcess(process.execPath, ['--import', 'tsx', 'src/start.ts'], env, deploy);

  beforeAll(async () => {
    await waitForHttp(`http://127.0.0.1:${base}/healthz`, platform.output, 90_000);
  });
  afterAll(async () => {
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /healthz on the index port and on every service port', async () => {
    const ports = [base, ...services.map((_, i) => base + i + 1)];
    const answers = await Promise.all(
      ports.map(async (p) => (await fetch(`http://127.0.0.1:${p}/healthz`)).status),
    );
    expect(answers).toEqual(ports.map(() => 200));
  });

  it('links every service from the index page, each shown ready', async () => {
    const page = await (await fetch(`http://127.0.0.1:${base}/`)).text();
    for (const [i, s] of services.entries()) {
      expect(page).toContain(s.name);
      expect(page).toContain(`http://localhost:${base + i + 1}/reference`);
    }
    expect(page.match(/data-state="ready"/g)?.length).toBe(services.length);
  });

  it('names one service on every log line: the platform, a service or a simulator', () => {
    const lines = platform
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(services.length);
    for (const line of lines) expect(line.match(/"service":/g), line).toHaveLength(1);
    const named = new Set(lines.map((l) => (JSON.parse(l) as { service: string }).service));
    expect([...named]).toEqual(
      expect.arrayContaining(['platform', ...services.map((s) => s.name), 'hub-bridge-sim']),
    );
  });

  it('stops cleanly on SIGTERM', async () => {
    await platform.stop();
    expect(platform.child.exitCode).toBe(0);
  });
});
