import type { Page } from 'playwright-core';

/** Every `<a href>` of the page the browser shows, made absolute. */
async function linksOf(page: Page): Promise<string[]> {
  return page.$$eval('a[href]', (anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
}

/**
 * Follows every link of the index page, and every link of each page a service shows (its admin
 * pages), as a user clicking them would. Returns one line per link that does not open: an error
 * status, a page that failed to load, an HTML page without a doctype, or a link a browser cannot
 * open from a web page (`file:`).
 */
export async function checkLinks(page: Page, indexUrl: string, serviceOrigins: string[]): Promise<string[]> {
  const broken: string[] = [];
  const checked = new Set<string>();
  const check = async (url: string, from: string): Promise<boolean> => {
    const key = url.split('#')[0] as string;
    if (checked.has(key)) return true;
    checked.add(key);
    if (!/^https?:/.test(url)) {
      broken.push(`${url} (on ${from}): not a link a browser follows from a web page`);
      return false;
    }
    const res = await page.request.get(url, { maxRedirects: 10 }).catch((e: Error) => e);
    if (res instanceof Error) {
      broken.push(`${url} (on ${from}): ${res.message.split('\n')[0]}`);
      return false;
    }
    if (res.status() >= 400) {
      broken.push(`${url} (on ${from}): ${res.status()} ${(await res.text()).slice(0, 200)}`);
      return false;
    }
    // A page without a doctype is rendered in quirks mode: every HTML page declares HTML5.
    if (res.headers()['content-type']?.includes('text/html') && !/^<!doctype html>/i.test(await res.text())) {
      broken.push(`${url} (on ${from}): an HTML page without <!doctype html>`);
      return false;
    }
    return true;
  };

  await page.goto(indexUrl);
  const fromIndex = await linksOf(page);
  if (fromIndex.length === 0) broken.push(`${indexUrl}: no link at all`);
  const adminPages: string[] = [];
  for (const url of fromIndex) {
    if ((await check(url, indexUrl)) && serviceOrigins.some((o) => url.startsWith(o))) adminPages.push(url);
  }
  for (const url of adminPages) {
    const res = await page.goto(url);
    if (!res?.headers()['content-type']?.includes('text/html')) continue;
    for (const link of await linksOf(page)) await check(link, page.url());
  }
  return broken;
}
