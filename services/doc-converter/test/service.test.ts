import { startServiceForTest } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docConverter } from '../src/service.ts';

describe('doc-converter service shell', () => {
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    svc = await startServiceForTest(docConverter, {
      env: { EXPORT_ROOT: '/nonexistent/export', ASSETS_ROOT: '/nonexistent/assets' },
    });
  });
  afterAll(() => svc.stop());

  it('is alive and ready once its database and bus answer', async () => {
    expect((await svc.request('/healthz')).status).toBe(200);
    const ready = await svc.request('/readyz');
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: { ok: true }, bus: { ok: true } },
    });
  });

  it('publishes its OpenAPI document', async () => {
    const doc = await (await svc.request('/openapi.json')).json();
    expect(doc.info.title).toBe('doc-converter');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/documents',
        '/documents/{id}',
        '/documents/{id}/retry',
        '/errors',
        '/assets/signature/{doctorId}',
        '/assets/letterhead/{doctorId}',
      ]),
    );
  });
});
