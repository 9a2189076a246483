import { freshDatabase, startServiceForTest, testBus, waitFor } from '@hip/shared/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sync, tenants } from '../src/db/schema.ts';
import { liveMessages, liveSends } from '../src/live/schema.ts';
import { arcadSync } from '../src/service.ts';
import { ARCAD_TENANT, type Service, type Simulator, serviceEnv, startSimulator } from './harness.ts';

const SECRET = 'arcad-webhook-secret-embedded';

// `pnpm start` runs on the in-process bus and PGlite, whose single connection must never be
// asked for while a transaction holds it.
describe('live flows on the embedded bus and PGlite', () => {
  let sim: Simulator;
  let svc: Service;

  beforeAll(async () => {
    sim = await startSimulator();
    svc = await startServiceForTest(arcadSync, {
      env: serviceEnv(sim, { ARCAD_WEBHOOK_SECRET: SECRET, LIVE_RETRY_MS: '200' }),
      bus: await testBus({ real: false }),
      database: await freshDatabase({ real: false }),
    });
    // A tenant whose activity A1 is synchronised with ARCAD service SVC1, and ARCAD's subscription.
    const db = svc.database.db;
    await db.insert(tenants).values({ tenant: 'emb', arcadTenant: ARCAD_TENANT, activatedBy: 'test' });
    await db
      .insert(sync)
      .values({ tenant: 'emb', entity: 'activity', liviaId: 'A1', arcadId: 'SVC1', status: 'synced' });
    sim.sim.live.subscribe(ARCAD_TENANT, {
      url: 'http://service.test/webhooks/arcad360/emb',
      secret: SECRET,
      fetch: (url, init) => svc.request(new URL(url).pathname, init),
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await svc?.bus.close();
    await svc?.database.close();
    await sim?.stop();
  });

  it('creates an unknown resident from ARCAD, applies the discharge after it, and sends a LIVIA resident', async () => {
    const db = svc.database.db;
    expect(svc.database.kind).toBe('pglite');
    const live = sim.sim.live;
    const clientId = live.createClient(ARCAD_TENANT, {
      lastName: 'EMBARQUE',
      firstName: 'Ana',
      birthDate: '1950-01-01',
    });
    const { stayId } = live.admit(ARCAD_TENANT, { clientId, serviceId: 'SVC1', startDate: '2021-01-01' });
    live.discharge(ARCAD_TENANT, stayId, '2021-02-01');
    const rows = await waitFor(
      async () => {
        const list = await db.select().from(liveMessages).orderBy(liveMessages.sequence);
        return list.length === 2 && list.every((m) => m.status !== 'pending') ? list : null;
      },
      { what: 'both messages processed', timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(rows.map((m) => m.changes)).toEqual([['residents.created', 'stays.created'], ['stays.closed']]);

    await svc.bus.publish('livia.emb.residents.upserted', {
      id: 'R-emb',
      lastName: 'LOCAL',
      firstName: 'Lea',
      birthDate: '1949-05-05',
      sex: 'F',
    });
    const sent = await waitFor(async () => (await db.select().from(liveSends))[0], {
      what: 'live send',
      timeoutMs: 20_000,
    });
    expect(sent).toMatchObject({ status: 'sent', reason: 'client created and synchronised' });
  });

  it('retries a message that failed on a transient ARCAD error by itself, with backoff', async () => {
    const live = sim.sim.live;
    const clientId = live.createClient(ARCAD_TENANT, {
      lastName: 'REESSAI',
      firstName: 'Ivo',
      birthDate: '1951-01-01',
    });
    live.addFault('get-client', 2);
    const { event } = live.admit(ARCAD_TENANT, { clientId, serviceId: 'SVC1', startDate: '2021-01-01' });
    const applied = await waitFor(
      async () => {
        const [m] = await svc.database.db
          .select()
          .from(liveMessages)
          .where(eq(liveMessages.messageId, event.id));
        return m?.status === 'applied' ? m : null;
      },
      { what: 'automatic retries', timeoutMs: 20_000, intervalMs: 50 },
    );
    // Two failures (HTTP 500), then applied on the third attempt without anyone's action.
    expect(applied.attempts).toBe(3);
    expect(applied.changes).toEqual(['residents.created', 'stays.created']);
  });

  it('sends a LIVIA change again by itself after a transient ARCAD failure', async () => {
    sim.sim.addFault({ collection: 'clients', externalId: 'R-retry', mode: 'error5xx', times: 1 });
    await svc.bus.publish('livia.emb.residents.upserted', {
      id: 'R-retry',
      lastName: 'ENCORE',
      firstName: 'Eva',
      birthDate: '1948-04-04',
      sex: 'F',
    });
    const sent = await waitFor(
      async () => {
        const [row] = await svc.database.db.select().from(liveSends).where(eq(liveSends.liviaId, 'R-retry'));
        return row?.status === 'sent' ? row : null;
      },
      { what: 'automatic resend', timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(sent.attempts).toBe(2);
    expect(sim.sim.rows(ARCAD_TENANT, 'clients').filter((c) => c.externalId === 'R-retry')).toHaveLength(1);
  });
});
