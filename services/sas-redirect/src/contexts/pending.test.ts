import { freshDatabase } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../db/migrations.ts';
import { createContextStore, type StoredContext } from './pending.ts';

const stored: StoredContext = {
  context: { origin: 'samu44-lrm', address: { city: 'Nantes' }, specialty: { kind: 'general-medicine' } },
};

describe('prepared searches and context tokens expire', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    database = await freshDatabase();
    await database.migrate(migrations);
  });
  afterAll(() => database.drop());

  function store() {
    const clock = { at: new Date('2026-01-05T08:00:00Z') };
    const contexts = createContextStore({
      db: database.db,
      signingKey: new TextEncoder().encode('k'.repeat(40)),
      issuer: 'https://sas-redirect.example.test',
      tokenTtlMs: 60_000,
      launchTtlMs: 300_000,
      now: () => clock.at,
    });
    const advance = (ms: number) => {
      clock.at = new Date(clock.at.getTime() + ms);
    };
    return { contexts, advance };
  }

  it('redeems a token within 60 s, once', async () => {
    const { contexts, advance } = store();
    const token = await contexts.issueToken(stored);
    advance(59_000);
    expect(await contexts.redeemToken(token)).toMatchObject({ ok: true, stored });
    expect(await contexts.redeemToken(token)).toEqual({ ok: false, reason: 'used' });
  });

  it('refuses a token redeemed after 60 s as expired (410)', async () => {
    const { contexts, advance } = store();
    const token = await contexts.issueToken(stored);
    advance(61_000);
    expect(await contexts.redeemToken(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('opens a prepared search within LAUNCH_TTL_SECONDS, then refuses it as expired (410)', async () => {
    const { contexts, advance } = store();
    const kept = await contexts.createLaunch(stored);
    const late = await contexts.createLaunch(stored);
    advance(299_000);
    expect(await contexts.takeLaunch(kept.id)).toMatchObject({ ok: true });
    advance(2_000);
    expect(await contexts.takeLaunch(late.id)).toEqual({ ok: false, reason: 'expired' });
    expect(await contexts.takeLaunch('unknown')).toEqual({ ok: false, reason: 'invalid' });
  });
});
