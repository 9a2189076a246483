import { listen, type RunningServer } from '@hip/shared/node';
import { launchBrowser } from '@hip/shared/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DICTIONARY, makeVisits } from '../sim/catalogue.ts';
import { type Gateway, startGateway } from './helpers.ts';

const oxy = DICTIONARY[0] as (typeof DICTIONARY)[number];

describe('admin pages in a headless browser', () => {
  let gw: Gateway;
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    gw = await startGateway();
    server = await listen(gw.svc.app, 0, '127.0.0.1');
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await gw?.stop();
  });

  it('confirms a suggested mapping in one click and shows the visit billing line updated', async () => {
    const { id } = await gw.vetAccount();
    const visit = makeVisits(id, 1, { seed: id, linesPerVisit: 6 })[0];
    if (!visit) throw new Error('no visit');
    gw.sim.sim.addVisits(id, [visit]);
    await gw.json('PUT', `/accounts/${id}/catalogue`, {
      products: [{ id: 'LG-OXY', name: 'Oxytétracycline 10 %', gtin: oxy.gtin }],
    });
    await gw.importNow(id);

    const page = await browser.newPage();
    const base = `http://127.0.0.1:${server.port}`;
    await page.goto(`${base}/admin`);
    expect(await page.locator(`tr[data-account="${id}"]`).textContent()).toContain('ok');
    await page.goto(`${base}/admin/accounts/${id}`);
    const line = page.locator(`tr[data-visit="${visit.id}"] .line[data-product="${oxy.id}"]`);
    expect(await line.getAttribute('data-status')).toBe('unmapped_product');
    await page.locator(`button[data-confirm="${oxy.id}:LG-OXY"]`).click();
    await page.waitForURL(`${base}/admin/accounts/${id}`);
    expect(await line.getAttribute('data-status')).toBe('ok');
    expect(await line.textContent()).toContain('LG-OXY');
    expect(await page.locator(`tr[data-product="${oxy.id}"]`).count()).toBe(0);
    await page.close();
  });
});
