import type { VetVisitsImported } from '@hip/shared/schemas';
import { describeWithServers, waitFor } from '@hip/shared/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DICTIONARY, makeVisits } from '../sim/catalogue.ts';
import { accounts, mappings } from '../src/db/schema.ts';
import { collect, type Gateway, startGateway } from './helpers.ts';

// A mapping committed while an import is storing visits of the same account must not leave the
// LGCV with unmapped lines and no billing.updated: the two transactions run one after the other.

/** A promise opened from outside. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open: () => open(), opened };
}

describeWithServers(['postgres'], 'a mapping made during an import', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.stop());

  it('makes the import wait and publish lines with the new mapping', async () => {
    const product = DICTIONARY[0] as (typeof DICTIONARY)[number];
    const { id } = await gw.vetAccount();
    const visits = makeVisits(id, 10, { seed: id, linesPerVisit: 12 });
    const holding = visits.filter((v) => v.produits.some((p) => p.id === product.id)).map((v) => v.id);
    expect(holding.length).toBeGreaterThan(0);
    gw.sim.sim.addVisits(id, visits);
    const events = await collect<VetVisitsImported>(gw.svc.bus, `vet.${id}.visits.imported`);
    const { db } = gw.svc.database;

    // A mapping transaction of the account in progress: account row taken, mapping not committed.
    const commit = gate();
    const held = gate();
    const mapping = db.transaction(async (tx) => {
      await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, id)).for('update');
      await tx
        .insert(mappings)
        .values({ account: id, vetelevageId: product.id, lgcvId: 'LG-OXY', origin: 'api' });
      held.open();
      await commit.opened;
    });
    await held.opened;

    const imported = gw.importNow(id);
    // The import reaches the account row and waits for the mapping to commit.
    await waitFor(
      async () => {
        const rows = (await db.execute(
          sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        )) as unknown as { n: number }[];
        return (rows[0]?.n ?? 0) > 0;
      },
      { what: 'the import to wait for the mapping transaction' },
    );
    commit.open();
    await mapping;
    expect((await imported).body).toMatchObject({ status: 'ok', visitsNew: 10 });

    await waitFor(() => events.seen.flatMap((e) => e.data.visits).length >= 10, { what: 'imported events' });
    const lines = events.seen
      .flatMap((e) => e.data.visits)
      .flatMap((v) => v.lines)
      .filter((l) => l.vetelevageProductId === product.id);
    expect(lines.length).toBeGreaterThanOrEqual(holding.length);
    expect(lines.every((l) => l.lgcvProductId === 'LG-OXY' && l.status === 'ok')).toBe(true);
    await events.stop();
  });
});
