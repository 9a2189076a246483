import { waitFor } from '@hip/shared/testing';
import type { Page } from 'playwright-core';
import type { Journey } from '../journey.ts';

const fail = (what: string, seen: unknown): never => {
  throw new Error(`sas-redirect journey: expected ${what}; the page shows: ${JSON.stringify(seen)}`);
};

const textOf = async (page: Page, selector: string) =>
  (
    (await page
      .locator(selector)
      .first()
      .textContent({ timeout: 10_000 })
      .catch(() => null)) ?? ''
  ).trim();

/** Opens a link of the index page by its label, as a newcomer does. */
async function openFromIndex(page: Page, indexUrl: string, label: RegExp) {
  await page.goto(indexUrl);
  const link = page.getByRole('link', { name: label });
  if ((await link.count()) === 0)
    fail(`a link ${label} on the index page`, await page.locator('body').textContent());
  await Promise.all([page.waitForNavigation({ timeout: 30_000 }), link.first().click()]);
}

export const journey: Journey = {
  name: 'sas-redirect: an LRM search button logs in through PSC and opens the SAS with the context, a refused context reads in French, and an appointment booked on the SAS shows on the appointments page',
  async run({ platform, newPage }) {
    const page = await newPage();

    // 1. The LRM's case screen: the search button goes through Pro Santé Connect to the SAS.
    await openFromIndex(page, platform.indexUrl, /^SAS: LRM simulator/);
    const button = page.locator('#search-A');
    await button
      .waitFor({ timeout: 10_000 })
      .catch(() => fail('the LRM case screen with its search buttons', page.url()));
    await Promise.all([page.waitForNavigation({ timeout: 30_000 }), button.click()]);
    const card = page.locator('button[name="account"]').first();
    await card
      .waitFor({ timeout: 15_000 })
      .catch(async () =>
        fail('the Pro Santé Connect e-CPS login page', await page.locator('body').textContent()),
      );
    await Promise.all([page.waitForURL(/\/sas\/recherche/, { timeout: 30_000 }), card.click()]);
    const understood = {
      origin: await textOf(page, '[data-testid="origin"]'),
      streetname: await textOf(page, '[data-testid="streetname"]'),
      inseecode: await textOf(page, '[data-testid="inseecode"]'),
      specialty: await textOf(page, '[data-testid="specialty"]'),
      practitioner: await textOf(page, '[data-testid="practitioner"]'),
    };
    const expected = {
      origin: 'samu44-lrm-demo',
      streetname: 'rue de la Paix',
      inseecode: '44109',
      specialty: 'SM54',
      practitioner: '10005681340',
    };
    if (JSON.stringify(understood) !== JSON.stringify(expected))
      fail(`the SAS search page with the case's context ${JSON.stringify(expected)}`, understood);

    // 2. A context the SAS would bounce: the regulator reads in French what to fix.
    const refused = new URL('/search', platform.serviceUrl('sas-redirect'));
    refused.searchParams.set('origin', 'samu44-lrm-demo');
    refused.searchParams.set('address', '12 rue de la Paix, 7500 Paris');
    const res = await page.goto(refused.toString());
    const line = await textOf(page, 'li[data-field="address"]');
    if (res?.status() !== 422 || !line.includes('Le code postal « 7500 » doit comporter 5 chiffres'))
      fail('a 422 page in French naming the postal code "7500"', { status: res?.status(), line });
    if (!(await textOf(page, '[data-testid="request-id"]'))) fail('the request id on the refusal page', line);

    // 3. The SAS books an appointment; it travels through Hub Santé to the SAMU's appointments page.
    await openFromIndex(page, platform.indexUrl, /SAS platform simulator/);
    const hubLink = await textOf(page, '[data-testid="hub-link"]');
    if (!hubLink.includes('Rendez-vous envoyés au SAMU'))
      fail("the SAS simulator linked to hub-bridge's demo Hub (HUB_DEMO_SAS_BRIDGE_URL)", hubLink);
    await Promise.all([
      page.waitForNavigation({ timeout: 30_000 }),
      page.locator('#book-appointment').click(),
    ]);
    const flash = await textOf(page, '[data-testid="flash"]');
    const booked = /^Rendez-vous (\S+) réservé et envoyé au SAMU/.exec(flash);
    if (!booked) fail('a message saying the appointment was booked and sent to the SAMU', flash);
    const appointmentId = booked![1]!;

    const admin = `${platform.serviceUrl('sas-redirect')}/admin/appointments`;
    const status = await waitFor(
      async () => {
        await page.goto(admin);
        const row = page.locator('tr', { hasText: appointmentId });
        return (await row.count()) > 0
          ? (await row.locator('.badge').first().textContent())?.trim()
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: `appointment ${appointmentId} on ${admin}` },
    ).catch(async () =>
      fail(`appointment ${appointmentId} on the appointments page`, await page.locator('main').textContent()),
    );
    if (status !== 'booked') fail(`appointment ${appointmentId} with status booked`, status);
    await page.close();
  },
};
