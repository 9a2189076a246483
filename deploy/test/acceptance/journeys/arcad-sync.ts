import { waitFor } from '@hip/shared/testing';
import type { Page } from 'playwright-core';
import type { Journey } from '../journey.ts';

const FLOW_TIMEOUT_MS = 60_000;

/** Fails with what the page was expected to show, and what it showed. */
async function expectText(page: Page, selector: string, expected: RegExp, what: string) {
  const shown = await page.textContent(selector, { timeout: 10_000 }).catch(() => null);
  if (shown === null || !expected.test(shown))
    throw new Error(
      `${what}: expected ${selector} to match ${expected}, the page shows ${JSON.stringify(shown)}`,
    );
  return shown;
}

/** Waits for a flow's state badge; the tenant page reloads itself when a run ends. */
async function waitForFlowState(page: Page, flow: string, state: string) {
  const selector = `tr[data-flow="${flow}"] [data-status="${state}"]`;
  await page.waitForSelector(selector, { timeout: FLOW_TIMEOUT_MS }).catch(async () => {
    const shown = await page.textContent(`tr[data-flow="${flow}"]`).catch(() => null);
    throw new Error(
      `${flow}: expected the state "${state}" on the flows page, the row shows ${JSON.stringify(shown)}`,
    );
  });
}

async function runFlow(page: Page, flow: string) {
  await page.click(`tr[data-flow="${flow}"] button:has-text("Run ${flow}")`);
  await expectText(
    page,
    '.flash',
    new RegExp(`${flow.replace('.', '\\.')} started`),
    `after clicking Run ${flow}`,
  );
  await waitForFlowState(page, flow, 'done');
}

export const journey: Journey = {
  name: 'arcad-sync: log in with ARCAD, activate demo, run I.1 to I.7, then fix ARCAD failures with the error manager',
  async run({ platform, newPage }) {
    const page = await newPage();
    await page.goto(platform.indexUrl);
    const liviaUrl = await page.getAttribute('a:has-text("LIVIA demo tenant")', 'href');
    const arcadUrl = await page.getAttribute('a:has-text("ARCAD360 simulator (REST)")', 'href');
    if (!liviaUrl || !arcadUrl)
      throw new Error('the index page should link the LIVIA demo tenant and the ARCAD360 simulator');
    await page.click('tr[data-service="arcad-sync"] a:text-is("admin")');
    await page.waitForURL(/\/console$/);

    // "Log in with ARCAD": the simulator's OpenID provider, with the demo's privileged account.
    await page.click('text=Log in with ARCAD');
    await page.fill('input[name=login]', 'expert');
    await page.fill('input[name=password]', 'expert');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/console$/);
    await expectText(page, '[data-testid=who]', /Thierry Expert/, 'after logging in as expert');

    await page.fill('input[name=tenant]', 'demo');
    await page.fill('input[name=arcadTenant]', 'livia25');
    await page.click('button:has-text("Activate")');
    await page.waitForURL(/\/console\/tenants\/demo$/);
    await expectText(page, '.flash', /activated with ARCAD360 tenant livia25/, 'after activating demo');

    // The LIVIA demo tenant pushes itself once the activation is done.
    await waitFor(
      async () => {
        await page.reload();
        return /intervenant: \d+/.test((await page.textContent('[data-testid=livia-data]')) ?? '');
      },
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        what: 'the LIVIA demo data on the flows page ("Pushed by LIVIA: ... intervenant: N") after the activation',
      },
    );
    await expectText(page, '[data-testid=livia-data]', /resident: 120/, 'the pushed LIVIA demo data');

    await runFlow(page, 'I.1');
    await expectText(page, '[data-testid=csv]', /Download the 40 logins/, 'after I.1');
    await runFlow(page, 'I.2');
    await page.click('text=Choose and send activities');
    const activities = await page.$$eval('select[data-activity]', (all) =>
      all.map((s) => (s as HTMLSelectElement).dataset.activity as string),
    );
    if (activities.length !== 10)
      throw new Error(`expected the 10 demo activities on the mapping screen, it lists ${activities.length}`);
    for (const id of activities) await page.selectOption(`select[data-activity="${id}"]`, 'create');
    await page.click('text=Save and send');
    await page.waitForURL(/\/console\/tenants\/demo$/);
    await waitForFlowState(page, 'I.3', 'done');
    for (const flow of ['I.4', 'I.5', 'I.6', 'I.7']) await runFlow(page, flow);
    const sentBefore = Number(await page.getAttribute('tr[data-flow="I.4"] .totals', 'data-sent'));
    if (!(sentBefore > 100))
      throw new Error(`expected I.4 to have sent the ~110 living residents, totals say ${sentBefore}`);

    // Fault scenario: 5 new residents in LIVIA, ARCAD360 fails 3 of them on the next I.4 run.
    const livia = await newPage();
    await livia.goto(liviaUrl);
    await livia.click('button:has-text("Admit 5 residents, ARCAD360 fails 3")');
    await expectText(
      livia,
      '[data-testid=last-action]',
      /5 new residents pushed/,
      'after the fault scenario',
    );

    await page.reload();
    await page.click('tr[data-flow="I.4"] button:has-text("Run I.4")');
    await waitForFlowState(page, 'I.4', 'done with 3 error(s)');
    await expectText(
      page,
      '.error-report[data-flow="I.4"] h3',
      /3 error\(s\) to fix/,
      'the I.4 error report',
    );

    await page.click('.error-report[data-flow="I.4"] a:has-text("Open in the error manager")');
    await page.waitForURL(/\/errors\?flow=I\.4$/);
    const failures = await page.$$eval('tr[data-error]', (rows) =>
      rows.map(
        (r) => `${(r as HTMLElement).dataset.error}: ${r.querySelector('[data-status]')?.textContent}`,
      ),
    );
    if (failures.length !== 3 || !failures.every((f) => /^R-ADM1-\d: failed, retryable$/.test(f)))
      throw new Error(
        `expected the 3 failed new residents, retryable, in the error manager; it lists ${failures}`,
      );

    await page.click('button:has-text("Retry all of I.4")');
    await page.waitForURL(/\/console\/tenants\/demo$/);
    await expectText(page, '.flash', /Retry started for I\.4 \(3\)/, 'after Retry all');
    await waitForFlowState(page, 'I.4', 'done');
    // The totals keep the first runs: the retry did not replace them.
    await expectText(
      page,
      'tr[data-flow="I.4"] .totals',
      new RegExp(
        `^${sentBefore + 5} sent in 3 run\\(s\\), 3 of them by 1 retry run\\(s\\)3 failed attempt\\(s\\), 0 still to fix`,
      ),
      'the I.4 totals after the retry',
    );
    await page.goto(`${new URL(page.url()).origin}/console/tenants/demo/errors`);
    await expectText(page, 'main', /0 unresolved error\(s\)/, 'the error manager after the retry');

    // The answer ARCAD lost was adopted by the retry, not created twice.
    await livia.goto(arcadUrl);
    const clientsColumn = (await livia.$$eval('thead th', (ths) => ths.map((t) => t.textContent))).indexOf(
      'clients',
    );
    const clients = Number(
      await livia.textContent(`tr[data-tenant="livia25"] td:nth-child(${clientsColumn + 1})`),
    );
    if (clients !== sentBefore + 5)
      throw new Error(
        `expected ARCAD360 to hold ${sentBefore + 5} clients (none twice), its page shows ${clients}`,
      );
  },
};
