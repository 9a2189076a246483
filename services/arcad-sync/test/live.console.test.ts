import { describeWithTools, launchBrowser, waitFor } from '@hip/shared/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sync } from '../src/db/schema.ts';
import { ARCAD_TENANT, logInAsExpert, type Service, type Simulator, startConsole } from './harness.ts';

const SECRET = 'arcad-webhook-secret-console';

describe('live console', () => {
  describeWithTools(['chromium'], 'log of ARCAD messages in headless Chromium', () => {
    let harness: Awaited<ReturnType<typeof startConsole>>;
    let sim: Simulator;
    let svc: Service;
    let browser: Browser;
    let origin: string;

    beforeAll(async () => {
      harness = await startConsole({ env: { ARCAD_WEBHOOK_SECRET: SECRET } });
      ({ sim, svc, origin } = harness);
      browser = await launchBrowser();
    });
    afterAll(async () => {
      await browser?.close();
      await harness?.stop();
    });

    it('shows each received message with its outcome and retries a failed one', async () => {
      const tenant = `live${Date.now().toString(36)}`;
      const page = await browser.newPage();
      await logInAsExpert(page, origin);
      await page.fill('input[name=tenant]', tenant);
      await page.fill('input[name=arcadTenant]', ARCAD_TENANT);
      await page.click('button:has-text("Activate")');
      await page.waitForURL(`${origin}/console/tenants/${tenant}`);

      // An activity synchronised earlier by I.3 (its sync row), and ARCAD's webhook subscription.
      await svc.database.db
        .insert(sync)
        .values({ tenant, entity: 'activity', liviaId: 'A1', arcadId: 'SVC-A1', status: 'synced' });
      const live = sim.sim.live;
      live.subscribe(ARCAD_TENANT, { url: `${origin}/webhooks/arcad360/${tenant}`, secret: SECRET });
      const clientId = live.createClient(ARCAD_TENANT, {
        lastName: 'WEB',
        firstName: 'Rita',
        birthDate: '1939-09-09',
      });
      live.addFault('get-client', 1);
      const failed = live.admit(ARCAD_TENANT, { clientId, serviceId: 'SVC-A1', startDate: '2021-01-01' });
      const ignored = live.admit(ARCAD_TENANT, { clientId, serviceId: 'SVC-OTHER', startDate: '2021-01-01' });
      await live.flush();

      await page.goto(`${origin}/console/tenants/${tenant}/live`);
      const row = (id: string) => `tr[data-message="${id}"]`;
      await waitFor(
        async () => {
          await page.reload();
          return (await page.$(`${row(failed.event.id)}[data-status="failed"]`)) !== null;
        },
        { what: 'failed message on the page', timeoutMs: 15_000, intervalMs: 200 },
      );
      expect(await page.textContent(row(failed.event.id))).toMatch(/HTTP 500/);
      // Held behind the failure, in ARCAD's order.
      expect(await page.getAttribute(row(ignored.event.id), 'data-status')).toBe('pending');
      expect(await page.textContent(row(ignored.event.id))).toMatch(/waiting for message 1/);

      await page.click(`${row(failed.event.id)} button:has-text("Retry")`);
      await page.waitForURL(`${origin}/console/tenants/${tenant}/live`);
      await waitFor(
        async () => {
          await page.reload();
          return (await page.getAttribute(row(ignored.event.id), 'data-status')) === 'ignored';
        },
        { what: 'both messages processed', timeoutMs: 15_000, intervalMs: 200 },
      );
      expect(await page.getAttribute(row(failed.event.id), 'data-status')).toBe('applied');
      expect(await page.textContent(row(failed.event.id))).toMatch(/residents\.created, stays\.created/);
      expect(await page.textContent(row(ignored.event.id))).toMatch(
        /SVC-OTHER is not a synchronised LIVIA activity/,
      );
      expect(await page.textContent('[data-testid=counts]')).toMatch(/applied: 1.*ignored: 1/s);
    });
  });
});
