import type { Page } from 'playwright-core';
import { type Journey, reloadUntil as reloadPageUntil } from '../journey.ts';

const PEER = 'fr.health.samu920';

const fail = (what: string, seen: unknown): never => {
  throw new Error(`hub-bridge journey: expected ${what}; the page shows: ${JSON.stringify(seen)}`);
};

/** Reloads until `ready` finds it; a failure shows what the page shows. */
const reloadUntil = <T>(page: Page, ready: () => Promise<T | undefined>, what: string) =>
  reloadPageUntil(page, ready, {
    what,
    timeoutMs: 30_000,
    fail: async (w) => fail(w, (await page.textContent('main').catch(() => null))?.slice(0, 2000)),
  });

/** The text of a cell of a message's row, or undefined while the row is not there. */
const cellOf = async (page: Page, row: string, cell: string) =>
  (await page.locator(row).count()) > 0
    ? ((await page.locator(`${row} ${cell}`).textContent()) ?? '')
    : undefined;

export const journey: Journey = {
  name: 'hub-bridge: a message sent from the LRM simulator reaches the second SAMU through the Hub simulator, and its RC-REF shows in our trace',
  async run({ platform, newPage }) {
    const page = await newPage();

    // From the index page to the LRM simulator, as a newcomer clicks it.
    await page.goto(platform.indexUrl);
    // Ready, not idle: without RabbitMQ the Hub simulator runs in process.
    await reloadUntil(
      page,
      async () => {
        const state = await page.getAttribute('tr[data-service="hub-bridge"] [data-state]', 'data-state');
        return state === 'ready' ? state : undefined;
      },
      'hub-bridge "ready" on the index page',
    );
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: /^Hub Santé: LRM simulator/ }).click(),
    ]);
    const lrmUrl = page.url();

    // Send one of the official examples (an RS-EDA case) to the second SAMU.
    const example = await page
      .locator('#example option', { hasText: /^RS-EDA / })
      .first()
      .getAttribute('value');
    if (!example) fail('an RS-EDA official example to choose', await page.textContent('#example'));
    await page.selectOption('#example', example as string);
    await page.selectOption('#recipient', PEER);
    await Promise.all([page.waitForURL(lrmUrl), page.click('#send')]);
    const flash = (await page.textContent('.flash').catch(() => null)) ?? '';
    const distributionId = /as (fr\.health\.[\w.-]+_[\w-]+)/.exec(flash)?.[1];
    if (!/^Sent RS-EDA/.test(flash) || !distributionId)
      fail('a flash saying the RS-EDA was sent, with its id', flash);
    const id = distributionId as string;
    const row = `#sent tr[data-distribution-id="${id}"]`;

    // The LRM page follows it: the second SAMU's RC-REF comes back as its final acknowledgement.
    const rcRef = await reloadUntil(
      page,
      async () => {
        const ack = await cellOf(page, row, 'td.ack');
        return ack?.match(new RegExp(`${PEER.replaceAll('.', '\\.')}_[\\w-]+`))?.[0];
      },
      `the RC-REF of ${PEER} on the LRM page for ${id}`,
    );

    // The second SAMU's admin page shows it received (delivered to its LRM, RC-REF sent).
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('link', { name: `bridge ${PEER}` }).click(),
    ]);
    const receivedRow = `table[data-direction="received"] tr[data-distribution-id="${id}"]`;
    const state = await reloadUntil(
      page,
      async () => {
        const s = await page
          .locator(`${receivedRow} [data-status]`)
          .getAttribute('data-status', { timeout: 1_000 })
          .catch(() => undefined);
        return s === 'delivered' ? s : undefined;
      },
      `${id} delivered on ${PEER}'s admin page`,
    );
    if ((await cellOf(page, receivedRow, 'td.ack'))?.includes(rcRef) !== true)
      fail(`the RC-REF ${rcRef} on ${PEER}'s page (${state})`, await cellOf(page, receivedRow, 'td.ack'));

    // Our hub-bridge's trace of the message, opened from the LRM page, shows the same RC-REF.
    await page.goto(lrmUrl);
    await Promise.all([page.waitForLoadState('load'), page.click(`${row} a:text-is("${id}")`)]);
    if (!page.url().startsWith(platform.serviceUrl('hub-bridge')))
      fail("our hub-bridge's trace page", page.url());
    const ours = (await page.textContent('#message td.ack').catch(() => null)) ?? '';
    if (!ours.includes(rcRef)) fail(`the RC-REF ${rcRef} on our trace page of ${id}`, ours);
    const status = await page.getAttribute('#message [data-status]', 'data-status');
    if (status !== 'acknowledged') fail(`${id} acknowledged on our trace page`, status);
  },
};
