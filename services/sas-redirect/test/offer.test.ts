import { listen, type RunningServer } from '@hip/shared/node';
import { startServiceForTest } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasSimulatorApp } from '../sim/sas.ts';
import { sasRedirect } from '../src/service.ts';

describe('care offer (P3) through the SAS offer API adapter', () => {
  let sas: RunningServer;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  let sasUrl: string;
  const failure = (mode: string) =>
    fetch(`${sasUrl}/__sim/offer`, { method: 'POST', body: JSON.stringify({ failure: mode }) });
  const calls = async () => (await (await fetch(`${sasUrl}/__sim/offer`)).json()).calls as number;

  beforeAll(async () => {
    sas = await listen(
      createSasSimulatorApp({ activeOrigins: [], offerApiKey: 'offer-key' }),
      0,
      '127.0.0.1',
    );
    sasUrl = `http://127.0.0.1:${sas.port}`;
    svc = await startServiceForTest(sasRedirect, {
      env: {
        OFFER_API_URL: sasUrl,
        OFFER_API_KEY: 'offer-key',
        OFFER_CACHE_SECONDS: '1',
        // Above any pause of a loaded machine, below the simulator's 2 s 'timeout' mode.
        OFFER_TIMEOUT_MS: '1500',
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await sas?.close();
  });

  it('answers slots by specialty and place, then from the cache within the cache time', async () => {
    await failure('none');
    const before = await calls();
    const first = await (await svc.request('/offer/slots?specialty=SM54&inseecode=44109')).json();
    expect(first.source).toBe('live');
    expect(first.slots[0]).toMatchObject({
      practitioner: { specialityCode: 'SM54' },
      location: { inseecode: '44109' },
    });
    const second = await (
      await svc.request('/offer/slots?specialty=urn:oid:1.2.250.1.213.2.28|SM54&inseecode=44109')
    ).json();
    expect(second.source).toBe('cache');
    expect(await calls()).toBe(before + 1);
  });

  it('answers structures', async () => {
    const res = await (await svc.request('/offer/structures?city=Nantes&specialty=SM54')).json();
    expect(res.structures.map((s: { kind: string }) => s.kind)).toEqual(['CPTS', 'SOS']);
  });

  it('serves the last answer marked stale when the SAS fails after the cache time', async () => {
    await failure('none');
    await svc.request('/offer/structures?inseecode=75105');
    await new Promise((r) => setTimeout(r, 1_100));
    await failure('500');
    const res = await (await svc.request('/offer/structures?inseecode=75105')).json();
    expect(res.source).toBe('stale');
    await failure('none');
  });

  it('reports the SAS failure (502 on error or contract mismatch, 504 on timeout) when nothing is cached', async () => {
    await failure('500');
    const failed = await svc.request('/offer/slots?inseecode=69381');
    expect(failed.status).toBe(502);
    expect((await failed.json()).detail).toContain('SAS offer API: answered HTTP 500');
    await failure('malformed');
    const malformed = await svc.request('/offer/slots?inseecode=69382');
    expect(malformed.status).toBe(502);
    expect((await malformed.json()).detail).toContain('contract');
    await failure('timeout');
    expect((await svc.request('/offer/slots?inseecode=69383')).status).toBe(504);
    await failure('none');
  });

  it('refuses a query without a place (422) and a malformed date (400)', async () => {
    expect((await svc.request('/offer/slots?specialty=SM54')).status).toBe(422);
    expect((await svc.request('/offer/slots?city=Nantes&from=tomorrow')).status).toBe(400);
  });
});
