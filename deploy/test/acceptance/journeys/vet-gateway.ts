import type { Locator, Page } from 'playwright-core';
import type { Journey } from '../journey.ts';

const ACCOUNT = 'cabinet-des-pres';
/** Products of the demo (sim/catalogue.ts): one suggested by its GTIN, one with no suggestion. */
const SUGGESTED = { vetelevageId: 'VE-1000', lgcvId: 'LG-OXY-100', name: 'Oxytétracycline 10 % inj. 100 ml' };
const UNSUGGESTED = {
  vetelevageId: 'VE-1006',
  lgcvId: 'LG-PENI-PROC',
  name: 'Benzylpénicilline procaïne (flacon)',
};
/** The demo's fifth visit of the account holds the product without suggestion. */
const VISIT_WITH_UNSUGGESTED = `demo-${ACCOUNT}-4`;

const fail = (what: string, seen: unknown): never => {
  throw new Error(`vet-gateway journey: expected ${what}; the page shows: ${JSON.stringify(seen)}`);
};

async function flashOf(page: Page): Promise<{ tone: string; text: string }> {
  const flash = page.locator('p.flash');
  await flash
    .waitFor({ timeout: 10_000 })
    .catch(() => fail('a message saying what the action did', '(no message)'));
  const cls = (await flash.getAttribute('class')) ?? '';
  return { tone: cls.includes('error') ? 'error' : 'ok', text: ((await flash.textContent()) ?? '').trim() };
}

/** Clicks a form's button and waits for the page the action ends on (POST, 303, GET). */
async function submit(page: Page, button: Locator) {
  await Promise.all([page.waitForNavigation({ timeout: 30_000 }), button.click()]);
}

async function expectLine(line: Locator, status: string, text: string | undefined, what: string) {
  const seen = { status: await line.getAttribute('data-status'), text: (await line.textContent())?.trim() };
  if (seen.status !== status || (text && !seen.text?.includes(text))) fail(what, seen);
}

export const journey: Journey = {
  name: 'vet-gateway: visits made in the Vétélevage simulator are imported by Import now, and mapping their products changes their billing lines',
  async run({ platform, newPage }) {
    const page = await newPage();

    // The index page links the simulator's control page, as a newcomer finds it.
    await page.goto(platform.indexUrl);
    await page.getByRole('link', { name: /Vétélevage simulator/ }).click();
    const simRow = page.locator(`tr[data-account="${ACCOUNT}"]`);
    await simRow
      .waitFor({ timeout: 10_000 })
      .catch(() => fail(`the simulator page listing account ${ACCOUNT}`, page.url()));
    const waitingBefore = await simRow
      .locator('li[data-visit]')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-visit')));

    await simRow.locator('input[name="count"]').fill('2');
    await submit(page, simRow.getByRole('button', { name: 'Make new visits' }));
    const made = await flashOf(page);
    if (made.tone !== 'ok' || !made.text.startsWith(`2 new visits made for ${ACCOUNT}`))
      fail(`"2 new visits made for ${ACCOUNT}..."`, made);
    const waitingAfter = await page
      .locator(`tr[data-account="${ACCOUNT}"] li[data-visit]`)
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-visit') as string));
    const newVisits = waitingAfter.filter((id) => !waitingBefore.includes(id));
    if (newVisits.length !== 2) fail('the 2 new visits listed as waiting', waitingAfter);

    // vet-gateway's admin page, from the index's link, and its "Import now".
    await page.goto(platform.indexUrl);
    await page
      .locator('tr[data-service="vet-gateway"]')
      .getByRole('link', { name: 'admin', exact: true })
      .click();
    await submit(page, page.locator(`button[data-import="${ACCOUNT}"]`));
    const imported = await flashOf(page);
    // Every visit still waiting for the account comes in. The demo's 15 s schedule may have taken
    // some of them (or all) a moment before the click: what matters is that the new ones end up
    // in the account's list, checked below.
    const count = imported.text.match(new RegExp(`^Imported for ${ACCOUNT}: (\\d+) new visits?[.,]`))?.[1];
    const plausible = count !== undefined && Number(count) <= waitingAfter.length;
    if (
      imported.tone !== 'ok' ||
      !(plausible || imported.text.startsWith(`Nothing new to import for ${ACCOUNT}`))
    )
      fail(
        `"Imported for ${ACCOUNT}: <at most ${waitingAfter.length}> new visits..." or "Nothing new..."`,
        imported,
      );

    await page.getByRole('link', { name: ACCOUNT, exact: true }).click();
    for (const id of newVisits)
      await page
        .locator(`tr[data-visit="${id}"]`)
        .waitFor({ timeout: 10_000 })
        .catch(() => fail(`visit ${id} in the recent visits of ${ACCOUNT}`, page.url()));

    // Map a product by its suggestion: the new visit's billing line names the LGCV product.
    const suggestedLine = page.locator(
      `tr[data-visit="${newVisits[0]}"] .line[data-product="${SUGGESTED.vetelevageId}"]`,
    );
    await expectLine(
      suggestedLine,
      'unmapped_product',
      'unmapped',
      `${SUGGESTED.vetelevageId} unmapped before mapping`,
    );
    await submit(page, page.locator(`button[data-confirm="${SUGGESTED.vetelevageId}:${SUGGESTED.lgcvId}"]`));
    const confirmed = await flashOf(page);
    if (
      confirmed.tone !== 'ok' ||
      !confirmed.text.includes(`mapped to ${SUGGESTED.name} (${SUGGESTED.lgcvId})`)
    )
      fail(`"${SUGGESTED.vetelevageId} mapped to ${SUGGESTED.name}"`, confirmed);
    await expectLine(
      suggestedLine,
      'ok',
      SUGGESTED.lgcvId,
      `the line of ${SUGGESTED.vetelevageId} billed as ${SUGGESTED.lgcvId}`,
    );

    // Map a product that has no suggestion by choosing it in the catalogue.
    const manualLine = page.locator(
      `tr[data-visit="${VISIT_WITH_UNSUGGESTED}"] .line[data-product="${UNSUGGESTED.vetelevageId}"]`,
    );
    await expectLine(
      manualLine,
      'unmapped_product',
      'unmapped',
      `${UNSUGGESTED.vetelevageId} unmapped before mapping`,
    );
    const row = page.locator(`tr[data-product="${UNSUGGESTED.vetelevageId}"]`);
    if (!(await row.textContent())?.includes('no suggestion'))
      fail(`${UNSUGGESTED.vetelevageId} listed without suggestion`, await row.textContent());
    await row.locator(`input[data-pick="${UNSUGGESTED.vetelevageId}"]`).fill(UNSUGGESTED.lgcvId);
    await submit(page, row.getByRole('button', { name: 'Map', exact: true }));
    const chosen = await flashOf(page);
    if (
      chosen.tone !== 'ok' ||
      !chosen.text.includes(`mapped to ${UNSUGGESTED.name} (${UNSUGGESTED.lgcvId})`)
    )
      fail(`"${UNSUGGESTED.vetelevageId} mapped to ${UNSUGGESTED.name}"`, chosen);
    await expectLine(
      manualLine,
      'ok',
      UNSUGGESTED.lgcvId,
      `the line of ${UNSUGGESTED.vetelevageId} billed as ${UNSUGGESTED.lgcvId}`,
    );
    for (const p of [SUGGESTED, UNSUGGESTED])
      if ((await page.locator(`tr[data-mapped="${p.vetelevageId}"]`).count()) !== 1)
        fail(
          `${p.vetelevageId} listed in the mapped products`,
          await page.locator('tr[data-mapped]').allTextContents(),
        );
  },
};
