import { createServiceApp, silentLogger } from '@hip/shared';
import { listen, type RunningServer } from '@hip/shared/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIndexApp } from '../src/index-page.tsx';

describe('index page', () => {
  const servers: RunningServer[] = [];
  let html: string;

  beforeAll(async () => {
    const ready = createServiceApp({ name: 'ready-one', logger: silentLogger });
    const idle = createServiceApp({
      name: 'idle-one',
      logger: silentLogger,
      idleReason: () => 'no Hub connection configured (HUB_AMQP_URL)',
    });
    const failing = createServiceApp({
      name: 'failing-one',
      logger: silentLogger,
      readiness: { database: () => Promise.reject(new Error('down')) },
    });
    for (const app of [ready, idle, failing]) servers.push(await listen(app, 0, '127.0.0.1'));
    const index = createIndexApp({
      services: [
        { name: 'ready-one', port: servers[0]!.port },
        { name: 'idle-one', port: servers[1]!.port },
        { name: 'failing-one', port: servers[2]!.port },
        { name: 'down-one', port: 9 },
      ],
      simulators: [{ label: 'LRM simulator', url: 'http://localhost:9132/' }],
      credentials: [{ label: 'ARCAD360 console login', value: 'expert / expert' }],
    });
    html = await (await index.request('/')).text();
  });
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  const stateOf = (name: string) =>
    html.match(new RegExp(`data-service="${name}".*?data-state="([^"]+)"`))?.[1];

  it('is an HTML5 document', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('tells ready, idle (with its reason), not ready (with the failing check) and down apart', () => {
    expect(stateOf('ready-one')).toBe('ready');
    expect(stateOf('idle-one')).toBe('idle');
    expect(html).toContain('no Hub connection configured (HUB_AMQP_URL)');
    expect(stateOf('failing-one')).toBe('not ready');
    expect(html).toContain('failing: database');
    expect(stateOf('down-one')).toBe('down');
  });

  it('shows the simulators and the demo accounts and keys', () => {
    expect(html).toContain('href="http://localhost:9132/"');
    expect(html).toMatch(/ARCAD360 console login<\/th><td><code>expert \/ expert<\/code>/);
  });
});
