import { describeWithTools, launchBrowser } from '@hip/shared/testing';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { services } from '../../src/services.ts';
import type { JourneyContext } from './journey.ts';
import { journeys } from './journeys/index.ts';
import { checkLinks } from './links.ts';
import { type PlatformAsUser, startPlatformAsUser } from './platform-as-user.ts';

// The platform as a newcomer meets it: started by the README's first command, used in Chromium.
describeWithTools(['chromium'], 'acceptance: the platform as pnpm start runs it, in Chromium', () => {
  let platform: PlatformAsUser;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const context: JourneyContext = {
    get platform() {
      return platform;
    },
    get browser() {
      return browser;
    },
    async newPage() {
      const c = await browser.newContext();
      contexts.push(c);
      return c.newPage();
    },
  };

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startPlatformAsUser(), launchBrowser()]);
    console.log(`[acceptance] pnpm start -> index page answering: ${platform.startedInMs} ms`);
  }, 200_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await platform?.stop();
  }, 60_000);

  it('every link of the index page and of every admin page opens a real page or document', async () => {
    const page = await context.newPage();
    const broken = await checkLinks(
      page,
      platform.indexUrl,
      services.map((s) => platform.serviceUrl(s.name)),
    );
    expect(broken, broken.join('\n')).toEqual([]);
  }, 300_000);

  for (const journey of journeys) {
    it(journey.name, async () => {
      const startedAt = performance.now();
      try {
        await journey.run(context);
      } catch (error) {
        // What the platform logged last is often what says why a journey failed.
        throw new Error(
          `${(error as Error).message}\n--- platform output (tail) ---\n${platform.output().slice(-4000)}`,
          {
            cause: error,
          },
        );
      }
      console.log(`[acceptance] ${journey.name}: ${Math.round(performance.now() - startedAt)} ms`);
    }, 300_000);
  }
});
