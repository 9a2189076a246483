import { sampleSignaturePng } from 'doc-converter/sim/png-encoder';
import type { Page } from 'playwright-core';
import { type Journey, reloadUntil as reloadPageUntil } from '../journey.ts';

/** The demo's doctor without a signature (sim/samples.ts): both of their documents are parked. */
const UNSIGNED_DOCTOR = '63';

const fail = (what: string, seen: unknown): never => {
  throw new Error(`doc-converter journey: expected ${what}; the page shows: ${JSON.stringify(seen)}`);
};

/** Status of each document row of the page, by document id. */
const statuses = (page: Page, scope = 'body') =>
  page
    .locator(`${scope} tr[data-document]`)
    .evaluateAll((rows) =>
      Object.fromEntries(
        rows.map((r) => [
          r.getAttribute('data-document'),
          r.querySelector('[data-status]')?.getAttribute('data-status'),
        ]),
      ),
    ) as Promise<Record<string, string>>;

/** Reloads until `ready` finds it; a failure shows what the page shows. */
const reloadUntil = <T>(page: Page, ready: () => Promise<T | undefined>, what: string) =>
  reloadPageUntil(page, ready, {
    what,
    timeoutMs: 60_000,
    fail: async (w) => fail(w, await statuses(page)),
  });

export const journey: Journey = {
  name: "doc-converter: a demo document's PDF opens from the admin page, and uploading the missing signature converts the parked documents",
  async run({ platform, newPage }) {
    const page = await newPage();

    // From the index page to doc-converter's admin, as a newcomer clicks it.
    await page.goto(platform.indexUrl);
    await Promise.all([
      page.waitForURL(/\/admin$/, { timeout: 15_000 }),
      page
        .locator('tr[data-service="doc-converter"]')
        .getByRole('link', { name: 'admin', exact: true })
        .click(),
    ]).catch(async () => fail('the doc-converter admin link of the index page to open /admin', page.url()));

    // The demo's documents were published at start: one of them is converted.
    const converted = await reloadUntil(
      page,
      async () => {
        const row = page.locator('tr[data-document]:has([data-status="converted"])').first();
        return (await row.count()) > 0 ? row : undefined;
      },
      'a converted demo document on the Documents page',
    );
    const pdfLink = converted.locator('a[href$="/pdf"]');
    if ((await pdfLink.count()) !== 1)
      fail('a link to the converted PDF in its row', await converted.textContent());
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/pdf'), { timeout: 15_000 }),
      // A PDF may open in the viewer or as a download, depending on the browser build.
      pdfLink.click({ modifiers: [] }).catch(() => undefined),
    ]);
    const contentType = response.headers()['content-type'];
    if (response.status() !== 200 || contentType !== 'application/pdf')
      fail('the PDF link to answer 200 application/pdf', { status: response.status(), contentType });
    const bytes = await (await page.request.get(response.url())).body();
    if (bytes.subarray(0, 5).toString() !== '%PDF-')
      fail('a PDF file (starting with %PDF-)', bytes.subarray(0, 20).toString());

    // The doctor without signature: their documents are parked, listed by doctor with an upload form.
    await page.goto(new URL('/admin', response.url()).href);
    await page.getByRole('link', { name: 'Parked by doctor' }).click();
    const section = page.locator(`section[data-doctor="${UNSIGNED_DOCTOR}"]`);
    const parked = await reloadUntil(
      page,
      async () => {
        const rows = await statuses(page, `section[data-doctor="${UNSIGNED_DOCTOR}"]`);
        const ids = Object.keys(rows).filter((id) => rows[id] === 'missing-signature');
        return ids.length === 2 ? ids : undefined;
      },
      `two documents of doctor ${UNSIGNED_DOCTOR} parked as missing-signature`,
    );

    await section.locator('form[action$="/signature"] input[type=file]').setInputFiles({
      name: `62_${UNSIGNED_DOCTOR}.png`,
      mimeType: 'image/png',
      buffer: Buffer.from(sampleSignaturePng(7)),
    });
    await Promise.all([
      page.waitForNavigation({ timeout: 30_000 }),
      section.getByRole('button', { name: 'Upload signature' }).click(),
    ]);
    const flash = page.locator('p.flash');
    await flash
      .waitFor({ timeout: 10_000 })
      .catch(() => fail('a message saying what the upload did', '(no message)'));
    const said = { class: await flash.getAttribute('class'), text: (await flash.textContent())?.trim() };
    if (
      !said.class?.includes('ok') ||
      !said.text?.startsWith(`Signature stored for doctor ${UNSIGNED_DOCTOR}; 2 parked documents released`)
    )
      fail(`"Signature stored for doctor ${UNSIGNED_DOCTOR}; 2 parked documents released..."`, said);

    // Released, they convert: the Documents page shows them converted.
    await page.getByRole('link', { name: 'Documents' }).click();
    await reloadUntil(
      page,
      async () => {
        const rows = await statuses(page);
        return parked.every((id) => rows[id] === 'converted') ? true : undefined;
      },
      `documents ${parked.join(', ')} converted on the Documents page`,
    );
  },
};
