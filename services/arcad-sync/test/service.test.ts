import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, type Simulator, startService, startSimulator } from './harness.ts';

describe('arcad-sync service shell', () => {
  let sim: Simulator;
  let svc: Service;
  beforeAll(async () => {
    sim = await startSimulator();
    svc = await startService(sim);
  });
  afterAll(async () => {
    await svc?.stop();
    await sim?.stop();
  });

  it('is alive and ready once its database and bus answer', async () => {
    expect((await svc.request('/healthz')).status).toBe(200);
    const ready = await svc.request('/readyz');
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { ok: true }, bus: { ok: true }, arcad360: { ok: true } },
    });
  });

  it('is not ready while ARCAD360 refuses its token', async () => {
    const wrong = await startService(sim, { env: { ARCAD_API_TOKEN: 'a-wrong-token-0123456789' } });
    try {
      const ready = await wrong.request('/readyz');
      expect(ready.status).toBe(503);
      expect((await ready.json()).checks.arcad360).toMatchObject({
        ok: false,
        error: expect.stringMatching(/HTTP 401/),
      });
    } finally {
      await wrong.stop();
    }
  });

  it('publishes its OpenAPI document', async () => {
    const doc = await (await svc.request('/openapi.json')).json();
    expect(doc.info.title).toBe('arcad-sync');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/tenants/{tenant}/livia/{collection}',
        '/tenants/{tenant}/flows/{flow}/runs',
        '/tenants/{tenant}/errors/retry',
        '/tenants/{tenant}/activities/mapping',
        '/tenants/{tenant}/runs/{runId}/events',
        '/tenants/{tenant}/credentials.csv',
      ]),
    );
  });
});
