import { type Database, enqueueEvents, type OutgoingEvent } from '@hip/shared';
import { VET_SUBJECTS } from '@hip/shared/schemas';
import { sql } from 'drizzle-orm';
import type { Visit } from '../adapters/vetelevage/contract.ts';
import { outbox, seenProducts, visits } from '../db/schema.ts';
import { visitLinesOf } from '../domain/billing.ts';
import { chunkForEvents } from '../domain/events.ts';
import { checkGtin } from '../domain/gtin.ts';
import { billingContextFor } from './billing.ts';

/**
 * Stores visits in the caller's transaction, keyed by visit id, with the products they name and
 * their events in the outbox: `visits.imported` for new visits, `billing.updated` for visits
 * stored earlier that came with other content. `json[i]` is the JSON text of `visits[i]`; `tag`
 * makes the events' message ids unique per content (a relay publishing twice is deduplicated).
 */
export async function storeVisits(
  tx: Database,
  input: { lot: string; visits: readonly Visit[]; json: readonly string[]; tag: string },
): Promise<{ inserted: Visit[]; updated: Visit[] }> {
  // One statement and one parameter for the whole batch: Postgres splits the JSON array
  // itself. A visit already stored with other content is replaced (Vétélevage changed it:
  // the newest version is what must be billed); RETURNING tells new ones (xmax = 0) from
  // replaced ones, and a batch seen again unchanged returns none. The parameter is text, so
  // no driver serialises the JSON a second time.
  const rows = rowsOf<{ account: string; visit_id: string; inserted: boolean }>(
    await tx.execute(sql`
      insert into ${visits} as t (account, visit_id, lot, date, payload)
      select v->>'compte', v->>'id', ${input.lot}, v->>'date', v
      from jsonb_array_elements(${`[${input.json.join(',')}]`}::text::jsonb) as v
      on conflict (account, visit_id) do update
        set payload = excluded.payload, date = excluded.date, lot = excluded.lot
        where t.payload is distinct from excluded.payload
      returning t.account, t.visit_id, (t.xmax = 0) as inserted`),
  );
  const fresh = new Set(rows.filter((r) => r.inserted).map((r) => `${r.account}/${r.visit_id}`));
  const replaced = new Set(rows.filter((r) => !r.inserted).map((r) => `${r.account}/${r.visit_id}`));
  const inserted = input.visits.filter((v) => fresh.has(`${v.compte}/${v.id}`));
  const updated = input.visits.filter((v) => replaced.has(`${v.compte}/${v.id}`));

  const products = new Map<string, typeof seenProducts.$inferInsert>();
  for (const v of [...inserted, ...updated])
    for (const p of v.produits)
      if (!products.has(`${v.compte}/${p.id}`)) {
        // An invalid GTIN must not drive a match, but the vet must see why it is missing.
        const check = p.gtin ? checkGtin(p.gtin) : undefined;
        products.set(`${v.compte}/${p.id}`, {
          account: v.compte,
          vetelevageId: p.id,
          label: p.libelle,
          gtin14: check?.ok ? check.gtin14 : null,
          rawGtin: p.gtin,
          gtinError: check && !check.ok ? check.reason : null,
        });
      }
  const productRows = [...products.values()];
  for (let i = 0; i < productRows.length; i += 1000)
    await tx
      .insert(seenProducts)
      .values(productRows.slice(i, i + 1000))
      .onConflictDoNothing();

  const events: OutgoingEvent[] = [];
  for (const [account, list] of byAccount([...inserted, ...updated])) {
    const context = await billingContextFor(tx, account, 'share');
    const lines = (which: Set<string>) =>
      list.filter((v) => which.has(`${v.compte}/${v.id}`)).map((v) => visitLinesOf(v, context));
    // Unique per content: a relay that publishes twice after a crash is deduplicated.
    const tag = `${account}:${input.lot}:${input.tag}`;
    chunkForEvents(lines(fresh)).forEach((chunk, n) => {
      events.push({
        subject: VET_SUBJECTS.visitsImported(account),
        msgId: `vet-imported:${tag}:${n}`,
        payload: { account, lot: input.lot, visits: chunk },
      });
    });
    // No subject of its own exists for a visit changed at the source: its new lines replace
    // the old ones, which is what billing.updated tells the LGCV.
    chunkForEvents(lines(replaced)).forEach((chunk, n) => {
      events.push({
        subject: VET_SUBJECTS.billingUpdated(account),
        msgId: `vet-changed:${tag}:${n}`,
        payload: {
          account,
          reason: `visit changed in Vétélevage since it was imported (batch ${input.lot})`,
          visits: chunk,
        },
      });
    });
  }
  await enqueueEvents(tx, outbox, events);
  return { inserted, updated };
}

/** Rows of a raw statement: an array with postgres.js, `{ rows }` with PGlite. */
const rowsOf = <T>(result: unknown): T[] =>
  Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []);

const byAccount = (list: readonly Visit[]) => {
  const out = new Map<string, Visit[]>();
  for (const v of list) {
    const group = out.get(v.compte);
    if (group) group.push(v);
    else out.set(v.compte, [v]);
  }
  return out;
};
