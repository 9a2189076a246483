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
