import { waitFor } from '@hip/shared/testing';
import type { Browser, Page } from 'playwright-core';
import type { PlatformAsUser } from './platform-as-user.ts';

/** What a journey gets: the platform as `pnpm start` runs it, and a headless Chromium. */
export interface JourneyContext {
  platform: PlatformAsUser;
  browser: Browser;
  /** A fresh page in its own browser context (own cookies), closed after the journey. */
  newPage(): Promise<Page>;
}

/** One demo journey of a newcomer, walked to its visible result. */
export interface Journey {
  /** Says what the user does and sees, e.g. "vet-gateway: a new visit is imported by Import now". */
  name: string;
  run(context: JourneyContext): Promise<void>;
}

/**
 * Reloads a page until `ready` finds what it waits for, as a user waiting for the demo would;
 * on time out, `fail` says what the page shows instead.
 */
export async function reloadUntil<T>(
  page: Page,
  ready: () => Promise<T | undefined>,
  options: { what: string; timeoutMs: number; fail: (what: string) => Promise<never> },
): Promise<T> {
  return waitFor(
    async () => {
      const value = await ready();
      if (value === undefined) await page.reload();
      return value;
    },
    { timeoutMs: options.timeoutMs, intervalMs: 500, what: options.what },
  ).catch(() => options.fail(options.what));
}
