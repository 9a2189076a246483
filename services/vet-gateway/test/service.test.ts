import { startServiceForTest } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vetGateway } from '../src/service.ts';

describe('vet-gateway service', () => {
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    // No VETELEVAGE_URL: the service starts, but says it is not ready and why.
    svc = await startServiceForTest(vetGateway, { env: { VET_IMPORT_INTERVAL_MS: '0' } });
  });
  afterAll(() => svc.stop());

  it('is alive, and not ready while VETELEVAGE_URL is not set', async () => {
    expect((await svc.request('/healthz')).status).toBe(200);
    const ready = await svc.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      checks: {
        database: { ok: true },
        bus: { ok: true },
        vetelevage: { ok: false, error: 'VETELEVAGE_URL is not set' },
      },
    });
  });

  it('publishes its OpenAPI document with the LGCV-facing routes', async () => {
    const doc = await (await svc.request('/openapi.json')).json();
    expect(doc.info.title).toBe('vet-gateway');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/accounts/{account}',
        '/accounts/{account}/import',
        '/accounts/{account}/acts',
        '/accounts/{account}/catalogue',
        '/accounts/{account}/mappings/{vetelevageId}',
        '/accounts/{account}/visits/{visitId}/lines',
        '/accounts/{account}/reference/{table}',
      ]),
    );
  });

  it('refuses to store credentials when VET_SECRETS_KEY is not set, rather than keep them in clear', async () => {
    const res = await svc.request('/accounts/a1', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'veterinaire', login: 'l', password: 'p' }),
    });
    expect(res.status).toBe(503);
    expect((await res.json()).detail).toMatch(/VET_SECRETS_KEY is not set/);
  });
});
