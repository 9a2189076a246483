import { describeWithTools, launchBrowser } from '@hip/shared/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logInAsExpert, push, type Service, type Simulator, startConsole } from './harness.ts';

describe('console', () => {
  describeWithTools(['chromium'], 'console in headless Chromium', () => {
    let harness: Awaited<ReturnType<typeof startConsole>>;
    let sim: Simulator;
    let svc: Service;
    let browser: Browser;
    let origin: string;

    beforeAll(async () => {
      harness = await startConsole({ latencyMs: 40, env: { FLOW_CONCURRENCY: '1' } });
      ({ sim, svc, origin } = harness);
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await harness?.stop();
    });

    it('logs in through ARCAD, runs I.2 then I.3 with a mapping choice, follows the progress to 100% and retries a failure', async () => {
      const tenant = `web${Date.now().toString(36)}`;
      const page = await browser.newPage();
      await logInAsExpert(page, origin);
      expect(await page.textContent('[data-testid=who]')).toBe('Thierry Expert');

      await page.fill('input[name=tenant]', tenant);
      await page.fill('input[name=arcadTenant]', 'livia25');
      await page.click('button:has-text("Activate")');
      await page.waitForURL(`${origin}/console/tenants/${tenant}`);
      await push(svc, tenant, {
        establishments: [{ id: `E-${tenant}`, name: 'Résidence Les Tilleuls', postcode: '', city: '' }],
        activities: Array.from({ length: 16 }, (_, i) => ({
          id: `A${i + 1}-${tenant}`,
          establishmentId: `E-${tenant}`,
          name: `Activité ${i + 1}`,
          code: '',
        })),
      });
      await page.reload();
      expect(await page.textContent('tr[data-flow="I.3"] .lock-reason')).toMatch(
        /I\.2 \(Establishments\) has not run yet/,
      );

      await page.click('tr[data-flow="I.2"] button');
      await page.waitForSelector('tr[data-flow="I.2"] [data-status="done"]');

      const legalEntity = sim.sim
        .rows('livia25', 'legal-entities')
        .find((e) => e.externalId === `E-${tenant}`);
      const existing = sim.sim.seedService('livia25', String(legalEntity?.id), 'EHPAD historique');
      sim.sim.addFault({
        collection: 'services',
        externalId: `A5-${tenant}`,
        mode: 'reject',
        field: 'code',
        times: 1,
      });

      await page.click('text=Choose and send activities');
      await page.selectOption(`select[data-activity="A1-${tenant}"]`, `existing:${existing}`);
      for (let i = 2; i <= 16; i++)
        await page.selectOption(`select[data-activity="A${i}-${tenant}"]`, 'create');
      await page.click('text=Save and send');
      await page.waitForURL(`${origin}/console/tenants/${tenant}`);
      await page.waitForFunction(
        () => document.querySelector('tr[data-flow="I.3"] .progress-text')?.textContent?.startsWith('100%'),
        undefined,
        { timeout: 20_000 },
      );
      await page.waitForSelector('tr[data-flow="I.3"] [data-status="done with 1 error(s)"]');
      expect(await page.textContent('.error-report[data-flow="I.3"]')).toMatch(/rejected field code/);

      await page.click('text=Open in the error manager');
      // Parked with its reason: ARCAD refused the data, so retrying it unchanged would fail again.
      expect(await page.textContent(`tr[data-error="A5-${tenant}"] [data-status]`)).toBe('parked');
      expect(await page.textContent(`tr[data-error="A5-${tenant}"]`)).toMatch(/rejected field code/);
      await page.click(`tr[data-error="A5-${tenant}"] button`);
      await page.waitForURL(`${origin}/console/tenants/${tenant}`);
      await page.waitForSelector('tr[data-flow="I.3"] [data-status="done"]');
      expect(sim.sim.rows('livia25', 'services').some((s) => s.externalId === `A5-${tenant}`)).toBe(true);
      expect(sim.sim.rows('livia25', 'services').some((s) => s.externalId === `A1-${tenant}`)).toBe(false);
    });
  });
});
