import { type RunningSimulators, silentLogger } from '@hip/shared';
import { listen, type RunningServer } from '@hip/shared/node';
import { describeWithTools, freePort, launchBrowser, startServiceForTest } from '@hip/shared/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulators } from '../sim/index.ts';
import { sasRedirect } from '../src/service.ts';

describeWithTools(['chromium'], 'click-through in Chromium: LRM button -> PSC login -> SAS results', () => {
  let sims: RunningSimulators;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    sims = await startSimulators({
      logger: silentLogger,
      servicePort: port,
      ports: { psc: 0, sas: 0, lrm: 0 },
    });
    svc = await startServiceForTest(sasRedirect, { env: sims.env });
    server = await listen(svc.app, port, '127.0.0.1');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await svc?.stop();
    await sims?.stop();
  });

  it('logs in once at PSC, shows the parsed context on the SAS, searches again and books without a login prompt', async () => {
    const lrmUrl = sims.links.find((l) => l.label.startsWith('SAS: LRM'))!.url;
    const page = await browser.newPage();
    await page.goto(lrmUrl);
    await page.click('#search-A');
    await page.waitForSelector('text=Pro Santé Connect');
    expect(page.url()).toContain('/auth/realms/esante-wallet/interaction/');
    // The login page is on PSC's wallet host, not on the issuer's host.
    expect(new URL(page.url()).host).not.toBe(new URL(sims.env.PSC_ISSUER!).host);
    await page.click('button[name="account"] >> nth=0');
    await page.waitForSelector('[data-testid="origin"]');
    expect(await page.textContent('[data-testid="streetname"]')).toBe('rue de la Paix');
    expect(await page.textContent('[data-testid="inseecode"]')).toBe('44109');
    expect(await page.textContent('[data-testid="specialty"]')).toBe('SM54');
    expect(await page.textContent('[data-testid="practitioner"]')).toBe('10005681340');

    await page.goto(lrmUrl);
    await page.click('#search-B');
    await page.waitForSelector('[data-testid="origin"]');
    expect(page.url()).not.toContain('/interaction/');
    expect(await page.textContent('[data-testid="inseecode"]')).toBe('69382');
    expect(await page.textContent('[data-testid="specialty"]')).toBe('SM26');

    // Booking (P1): the LRM prepares the case server to server; the browser URL carries a token only.
    await page.goto(lrmUrl);
    const sasRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/sas/recherche')) sasRequests.push(r.url());
    });
    await page.click('#book-C');
    await page.waitForSelector('[data-testid="booking-patient"]');
    expect(page.url()).not.toContain('/interaction/');
    expect(await page.textContent('[data-testid="booking-patient"]')).toBe('MARTIN Louise');
    expect(await page.textContent('[data-testid="via"]')).toBe('token');
    expect(await page.textContent('[data-testid="inseecode"]')).toBe('13205');
    expect(sasRequests).toHaveLength(1);
    expect(new URL(sasRequests[0]!).searchParams.get('token')).toBeTruthy();
    expect(sasRequests[0]).not.toMatch(/MARTIN|13205|inseecode/);

    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'sas_sid')!;
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
    await page.close();
  });
});
