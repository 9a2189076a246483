import { silentLogger } from '@hip/shared';
import { freshDatabase } from '@hip/shared/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PscClient, PscError, type PscTokens } from '../adapters/psc.ts';
import { sha256 } from '../crypto.ts';
import { migrations } from '../db/migrations.ts';
import { sessions } from '../db/schema.ts';
import { createSessionStore } from './sessions.ts';

const MINUTE = 60_000;
const settings = { ttlMs: 240 * MINUTE, idleMs: 30 * MINUTE, refreshMarginMs: 30_000, loginTtlMs: 600_000 };
const regulator = { nationalId: '810000000001' };

/** PSC's refresh as PSC does it: rotating refresh tokens, a used one refused with invalid_grant. */
function fakePsc() {
  let issued = 0;
  const live = new Set<string>();
  const state = {
    calls: [] as string[],
    /** Set to make PSC unreachable (timeout, 5xx). */
    down: false,
    /** Resolved by the test to let a pending refresh answer. */
    gate: undefined as Promise<void> | undefined,
    tokens(): PscTokens {
      const refreshToken = `rt${++issued}`;
      live.add(refreshToken);
      return { accessToken: `at${issued}`, refreshToken, idToken: `id${issued}`, expiresIn: 120 };
    },
  };
  const psc = {
    async refresh(refreshToken: string) {
      state.calls.push(refreshToken);
      await state.gate;
      if (state.down) throw new PscError('refresh', 'fetch failed: connect ETIMEDOUT');
      if (!live.delete(refreshToken)) {
        throw new PscError('refresh', 'invalid_grant', {
          cause: Object.assign(new Error('server responded with an error'), { error: 'invalid_grant' }),
        });
      }
      return state.tokens();
    },
  } as Partial<PscClient> as PscClient;
  return { psc, state };
}

describe('regulator sessions', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    database = await freshDatabase();
    await database.migrate(migrations);
  });
  afterAll(() => database.drop());

  function setup(start = new Date('2026-01-05T08:00:00Z')) {
    const clock = { at: start };
    const { psc, state } = fakePsc();
    const store = (s = psc) =>
      createSessionStore({ db: database.db, psc: s, logger: silentLogger, settings, now: () => clock.at });
    const advance = (ms: number) => {
      clock.at = new Date(clock.at.getTime() + ms);
    };
    const stored = async (cookie: string) =>
      (
        await database.db
          .select()
          .from(sessions)
          .where(eq(sessions.idHash, await sha256(cookie)))
      )[0];
    return { clock, psc, state, store, advance, stored };
  }

  it('refreshes once for two near-simultaneous uses when the token is about to expire', async () => {
    const { state, store, advance, stored } = setup();
    const sessionsStore = store();
    const cookie = await sessionsStore.create(regulator, state.tokens());
    advance(100_000); // 20 s left, under the 30 s margin
    let open = () => {};
    state.gate = new Promise((resolve) => {
      open = resolve;
    });
    const both = Promise.all([sessionsStore.current(cookie), sessionsStore.current(cookie)]);
    open();
    const [a, b] = await both;
    expect(a?.regulator.nationalId).toBe(regulator.nationalId);
    expect(b?.regulator.nationalId).toBe(regulator.nationalId);
    expect(state.calls).toEqual(['rt1']);
    expect((await stored(cookie))?.refreshToken).toBe('rt2');
  });

  it('keeps the session another replica refreshed first (its used token is refused here)', async () => {
    const { psc, state, store, advance, stored } = setup();
    const replicaA = store();
    const cookie = await replicaA.create(regulator, state.tokens());
    advance(100_000);
    // Replica B calls PSC with rt1 just after replica A refreshed with it: PSC refuses B.
    const replicaB = store({
      refresh: async (token: string) => {
        await replicaA.current(cookie);
        return psc.refresh(token);
      },
    } as Partial<PscClient> as PscClient);
    expect(await replicaB.current(cookie)).toBeDefined();
    expect((await stored(cookie))?.refreshToken).toBe('rt2');
  });

  it('keeps the session when PSC cannot be reached, ends it when PSC refuses the refresh', async () => {
    const { state, store, advance, stored } = setup();
    const sessionsStore = store();
    const cookie = await sessionsStore.create(regulator, state.tokens());
    advance(100_000);
    state.down = true;
    expect(await sessionsStore.current(cookie)).toBeDefined();
    expect((await stored(cookie))?.refreshToken).toBe('rt1');
    state.down = false;
    await database.db
      .update(sessions)
      .set({ refreshToken: 'revoked' })
      .where(eq(sessions.idHash, await sha256(cookie)));
    expect(await sessionsStore.current(cookie)).toBeUndefined();
    expect(await stored(cookie)).toBeUndefined();
  });

  it('ends a session idle for 30 minutes', async () => {
    const { state, store, advance, stored } = setup();
    const sessionsStore = store();
    const cookie = await sessionsStore.create(regulator, state.tokens());
    advance(29 * MINUTE);
    expect(await sessionsStore.current(cookie)).toBeDefined();
    advance(30 * MINUTE + 1_000);
    expect(await sessionsStore.current(cookie)).toBeUndefined();
    expect(await stored(cookie)).toBeUndefined();
  });

  it('ends a session after 4 hours even when used all along', async () => {
    const { state, store, advance } = setup();
    const sessionsStore = store();
    const cookie = await sessionsStore.create(regulator, state.tokens());
    for (let elapsed = 0; elapsed < 220 * MINUTE; elapsed += 20 * MINUTE) {
      advance(20 * MINUTE);
      expect(await sessionsStore.current(cookie)).toBeDefined();
    }
    advance(30 * MINUTE); // 250 minutes after the login
    expect(await sessionsStore.current(cookie)).toBeUndefined();
  });
});
