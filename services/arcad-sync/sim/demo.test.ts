import { listen } from '@hip/shared/node';
import { freePort, startServiceForTest, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arcadSync } from '../src/service.ts';
import { activate, loginThroughArcad } from '../test/harness.ts';
import { DEMO_TENANT, startDemoSimulators } from './demo.ts';
import { failingAdmissions } from './faultScenario.ts';

describe('the demo simulators of pnpm start', () => {
  let demo: Awaited<ReturnType<typeof startDemoSimulators>>;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  let server: Awaited<ReturnType<typeof listen>>;
  let origin: string;
  /** What reached arcad-sync's batch endpoints: every LIVIA push, with its answer. */
  const pushes: number[] = [];

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    demo = await startDemoSimulators({ PUBLIC_URL: origin }, await freePort());
    svc = await startServiceForTest(arcadSync, { env: demo.env });
    server = await listen(
      {
        async fetch(request) {
          const res = await svc.app.fetch(request);
          if (new URL(request.url).pathname.startsWith(`/tenants/${DEMO_TENANT}/livia/`))
            pushes.push(res.status);
          return res;
        },
      },
      port,
      '127.0.0.1',
    );
  });
  afterAll(async () => {
    await server?.close();
    await svc?.stop();
    await demo?.stop();
  });

  it('pushes the LIVIA demo tenant once, after its activation, without knocking on arcad-sync before', async () => {
    const expert = await loginThroughArcad(svc, 'expert', 'expert', origin);
    expect(pushes).toEqual([]);
    await activate(svc, expert, DEMO_TENANT);
    await waitFor(() => pushes.length === 7, {
      timeoutMs: 20_000,
      what: 'the seven batches of the demo tenant',
    });
    expect(pushes).toEqual([200, 200, 200, 200, 200, 200, 200]);
    const console = await (
      await svc.request(`/console/tenants/${DEMO_TENANT}`, { headers: { cookie: expert } })
    ).text();
    expect(console).toMatch(/resident: 120/);
  });

  it('lists the demo accounts, the tenant to activate and the API key for the index page', () => {
    expect(demo.credentials.map((c) => c.value)).toEqual(
      expect.arrayContaining([
        'expert / expert',
        'agent / agent',
        'demo → livia25',
        demo.env.ARCAD_API_TOKEN,
      ]),
    );
  });

  it('links only pages a browser opens (200), the ARCAD360 simulator included', async () => {
    for (const link of demo.links)
      expect({ url: link.url, status: (await fetch(link.url)).status }).toEqual({
        url: link.url,
        status: 200,
      });
  });

  it('arms the fault scenario from the LIVIA demo page: new residents pushed, ARCAD360 faults on three of them', async () => {
    const livia = demo.links.find((l) => l.label.startsWith('LIVIA demo tenant'))?.url as string;
    const res = await fetch(new URL('/scenarios/failing-admissions', livia), {
      method: 'POST',
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    const page = await (await fetch(livia)).text();
    expect(page).toMatch(
      /5 new residents pushed \(R-ADM1-1, .*\); ARCAD360 will fail 3 of them on the next I\.4 run/,
    );
    const arcadPage = await (await fetch(demo.links[0]?.url as string)).text();
    expect(arcadPage).toMatch(/error5xx on clients for R-ADM1-1, 1 more time\(s\)/);
    expect(arcadPage).toMatch(/lose-response on clients for R-ADM1-3/);
  });
});

describe('the fault scenario', () => {
  it('fails three of five new residents once each, with new ids every round', () => {
    const first = failingAdmissions(1);
    expect(first.residents).toHaveLength(5);
    expect(first.faults.map((f) => [f.externalId, f.mode, f.times])).toEqual([
      ['R-ADM1-1', 'error5xx', 1],
      ['R-ADM1-2', 'error5xx', 1],
      ['R-ADM1-3', 'lose-response', 1],
    ]);
    expect(first.residents.every((r) => !r.deceased && r.postcode && r.city)).toBe(true);
    const ids = new Set([...first.residents, ...failingAdmissions(2).residents].map((r) => r.id));
    expect(ids.size).toBe(10);
  });
});
