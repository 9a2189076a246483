import { baseConfigSchema, createMemoryBus, loadConfig } from '@hip/shared';
import { freshDatabase, startServiceForTest } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, sasRedirect } from '../src/service.ts';

describe('sas-redirect service shell', () => {
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    svc = await startServiceForTest(sasRedirect, { env: { LRM_ORIGINS: 'samu44-lrm' } });
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
    expect(doc.info.title).toBe('sas-redirect');
  });

  it('refuses plain-http SAS, offer API and public URLs, except on localhost', () => {
    const load = (env: Record<string, string>) =>
      loadConfig(baseConfigSchema.extend(configSchema.shape), env);
    expect(() => load({ SAS_BASE_URL: 'http://sas.example.fr' })).toThrow(/SAS_BASE_URL.*https:\/\//);
    expect(() => load({ OFFER_API_URL: 'http://sas.example.fr/api' })).toThrow(/OFFER_API_URL/);
    // Our own URL too: the Secure session cookie would never come back over plain http.
    expect(() => load({ PUBLIC_BASE_URL: 'http://sas-redirect.samu44.fr' })).toThrow(/PUBLIC_BASE_URL/);
    expect(load({ SAS_BASE_URL: 'http://127.0.0.1:9131' }).SAS_BASE_URL).toBe('http://127.0.0.1:9131');
    expect(load({ SAS_BASE_URL: 'https://sas.sante.fr' }).SAS_BASE_URL).toBe('https://sas.sante.fr');
  });

  it('refuses to start in token mode without SAS_CONTEXT_API_KEY or CONTEXT_TOKEN_SECRET, naming it', async () => {
    const bus = createMemoryBus();
    const database = await freshDatabase();
    try {
      const start = (env: Record<string, string>) =>
        startServiceForTest(sasRedirect, { env: { REDIRECT_MODE: 'token', ...env }, bus, database });
      await expect(start({ CONTEXT_TOKEN_SECRET: 'z'.repeat(40) })).rejects.toThrow(
        /REDIRECT_MODE=token needs SAS_CONTEXT_API_KEY/,
      );
      await expect(start({ SAS_CONTEXT_API_KEY: 'sas-context-api-key-0123456789' })).rejects.toThrow(
        /REDIRECT_MODE=token needs CONTEXT_TOKEN_SECRET/,
      );
    } finally {
      await bus.close();
      await database.drop();
    }
  });

  it('answers 503 naming SAS_CONTEXT_API_KEY to booking data or token mode when the SAS could not redeem', async () => {
    const post = (body: unknown) =>
      svc.request('/contexts', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ origin: 'samu44-lrm', city: 'Nantes', ...(body as object) }),
      });
    const booking = await post({ booking: { patient: { lastName: 'MARTIN', firstName: 'Léa' } } });
    expect(booking.status).toBe(503);
    expect((await booking.json()).detail).toContain('SAS_CONTEXT_API_KEY');
    expect((await post({ mode: 'token' })).status).toBe(503);
  });
});
