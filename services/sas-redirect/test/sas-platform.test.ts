import { listen, type RunningServer } from '@hip/shared/node';
import { startServiceForTest } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSasSimulatorApp, type Understood } from '../sim/sas.ts';
import { sasRedirect } from '../src/service.ts';

const SAS_KEY = 'sas-context-api-key-0123456789';

describe('our redirect, read by the SAS platform simulator over HTTP', () => {
  let sas: RunningServer;
  let service: RunningServer;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  const contextApi = { baseUrl: '', apiKey: SAS_KEY };

  beforeAll(async () => {
    sas = await listen(createSasSimulatorApp({ activeOrigins: ['samu44-lrm'], contextApi }), 0, '127.0.0.1');
    svc = await startServiceForTest(sasRedirect, {
      env: {
        SAS_BASE_URL: `http://127.0.0.1:${sas.port}`,
        LRM_ORIGINS: 'samu44-lrm,samu-not-declared-on-sas',
        SAS_CONTEXT_API_KEY: SAS_KEY,
        CONTEXT_TOKEN_SECRET: 'y'.repeat(40),
      },
    });
    service = await listen(svc.app, 0, '127.0.0.1');
    contextApi.baseUrl = `http://127.0.0.1:${service.port}`;
  });
  afterAll(async () => {
    await service?.close();
    await svc?.stop();
    await sas?.close();
  });

  async function followToSas(
    path: string,
  ): Promise<{ status: number; understood?: Understood; location?: string }> {
    const ours = await fetch(`http://127.0.0.1:${service.port}${path}`, { redirect: 'manual' });
    if (ours.status !== 302) return { status: ours.status };
    const res = await fetch(ours.headers.get('location')!, {
      redirect: 'manual',
      headers: { accept: 'application/json' },
    });
    if (res.status !== 200) return { status: res.status, location: res.headers.get('location') ?? '' };
    return { status: 200, understood: (await res.json()) as Understood };
  }

  it('the SAS understands every field we send, URNs included', async () => {
    const q = new URLSearchParams({
      origin: 'samu44-lrm',
      streetnumber: '12 bis',
      streetname: "allée de l'Hôtel-Dieu & Co",
      inseecode: '13208',
      specialty: 'sm26',
      practitioner: '10005681340',
    });
    const { status, understood } = await followToSas(`/search?${q}`);
    expect(status).toBe(200);
    expect(understood).toMatchObject({
      origin: 'samu44-lrm',
      address: {
        streetnumber: '12',
        streetname: "allée de l'Hôtel-Dieu & Co",
        inseecode: '13208',
        city: 'Marseille 8e Arrondissement',
      },
      specialty: { kind: 'code', value: 'SM26' },
      practitioner: '10005681340',
      warnings: [],
      via: 'parameters',
    });
  });

  it('the SAS redeems a token-mode context server to server and finds the same search', async () => {
    const prepared = await fetch(`http://127.0.0.1:${service.port}/contexts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        origin: 'samu44-lrm',
        address: '5 rue Sainte-Catherine, 69001 Lyon',
        mode: 'token',
      }),
    }).then((r) => r.json());
    const { status, understood } = await followToSas(new URL(prepared.launchUrl).pathname);
    expect(status).toBe(200);
    expect(understood).toMatchObject({
      via: 'token',
      address: { streetnumber: '5', streetname: 'rue Sainte-Catherine', inseecode: '69381', city: 'Lyon' },
    });
  });

  it('an origin we accept but the SAS has not activated shows sas_pf_001 there', async () => {
    const { status } = await followToSas('/search?origin=samu-not-declared-on-sas&city=Nantes');
    expect(status).toBe(403);
  });
});
