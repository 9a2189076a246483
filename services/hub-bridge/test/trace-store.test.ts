import { freshDatabase } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/db/migrations.ts';
import { TraceStore } from '../src/db/trace-store.ts';

describe('the trace of sent messages', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let store: TraceStore;
  const now = new Date('2026-11-23T10:00:00Z');
  const sent = (distributionId: string) => ({
    distributionId,
    direction: 'sent' as const,
    type: 'RS-SR',
    kind: 'Report',
    peer: 'fr.health.samu920',
    vhost: '15-15_v1.5',
    format: 'json' as const,
    state: 'pending',
    body: '{}',
  });

  beforeAll(async () => {
    database = await freshDatabase();
    await database.migrate(migrations);
    store = new TraceStore(database.db);
  }, 60_000);
  afterAll(() => database?.drop());

  it('records publisher confirms in one go, moving pending messages to confirmed', async () => {
    for (const id of ['s_1', 's_2']) await store.insert(sent(id), { state: 'pending' }, now);
    await store.confirmMany(['s_1', 's_2'], now);
    for (const id of ['s_1', 's_2']) {
      expect(await store.get(id)).toMatchObject({ state: 'confirmed', confirmedAt: now, attempts: 1 });
    }
  });

  it('records a confirm that arrives after the RC-REF without moving the state back, and only once', async () => {
    await store.insert(sent('s_3'), { state: 'pending' }, now);
    await store.update('s_3', { state: 'acknowledged' }, { state: 'acknowledged' }, now);
    await store.confirmMany(['s_3'], now);
    await store.confirmMany(['s_3'], now);
    const row = await store.get('s_3');
    expect(row).toMatchObject({ state: 'acknowledged', confirmedAt: now });
    expect(row?.history.map((h) => h.state)).toEqual(['pending', 'acknowledged', 'confirmed']);
  });
});
