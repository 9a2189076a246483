import type { Database } from '@hip/shared';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { activityMappings, liviaEntities, sync } from '../db/schema.ts';
import type { EntityKind } from '../domain/liviaEntities.ts';
import { type ActivityChoice, type SyncState, syncKey } from '../domain/plan.ts';

/** LIVIA's pushed entities of one kind, in push order. */
export async function loadLivia<T>(db: Database, tenant: string, entity: EntityKind): Promise<T[]> {
  const rows = await db
    .select({ data: liviaEntities.data })
    .from(liviaEntities)
    .where(and(eq(liviaEntities.tenant, tenant), eq(liviaEntities.entity, entity)))
    .orderBy(liviaEntities.liviaId);
  return rows.map((r) => r.data as T);
}

/** The sync states of the given kinds, keyed by `syncKey`. */
export async function loadSync(
  db: Database,
  tenant: string,
  entities: EntityKind[],
): Promise<Map<string, SyncState>> {
  const rows = await db
    .select({
      entity: sync.entity,
      liviaId: sync.liviaId,
      status: sync.status,
      arcadId: sync.arcadId,
      attempts: sync.attempts,
    })
    .from(sync)
    .where(and(eq(sync.tenant, tenant), inArray(sync.entity, entities)));
  return new Map(
    rows.map((r) => [
      syncKey(r.entity as EntityKind, r.liviaId),
      { status: r.status, arcadId: r.arcadId, attempts: r.attempts },
    ]),
  );
}

export async function loadMappings(db: Database, tenant: string): Promise<Map<string, ActivityChoice>> {
  const rows = await db.select().from(activityMappings).where(eq(activityMappings.tenant, tenant));
  return new Map(
    rows.map((r) => [
      r.activityId,
      r.choice === 'existing' && r.arcadServiceId
        ? { choice: 'existing' as const, arcadServiceId: r.arcadServiceId }
        : { choice: 'create' as const },
    ]),
  );
}

/** The rows of `db.execute`, whichever driver answered (postgres-js: an array; PGlite: `{rows}`). */
const rowsOf = <T>(result: unknown): T[] =>
  (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

/**
 * Marks entities as being sent, in one statement; returns each one's attempt number (1 = first).
 * The rows travel as one JSON parameter: a chunk costs one parameter, not six per entity.
 */
export async function markSendingMany(
  db: Database,
  tenant: string,
  rows: { entity: EntityKind; liviaId: string; hash: string }[],
): Promise<Map<string, number>> {
  // One statement cannot update a row twice (Postgres refuses the whole chunk): first one wins.
  const seen = new Set<string>();
  const once = rows.filter((r) => {
    const key = syncKey(r.entity, r.liviaId);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (once.length === 0) return new Map();
  const values = JSON.stringify(once.map((r) => ({ entity: r.entity, livia_id: r.liviaId, hash: r.hash })));
  const result = await db.execute(sql`
    insert into ${sync} as s (tenant, entity, livia_id, status, attempts, payload_hash)
    select ${tenant}, v.entity, v.livia_id, 'sending', 1, v.hash
    from jsonb_to_recordset(${values}::jsonb) as v(entity text, livia_id text, hash text)
    on conflict (tenant, entity, livia_id) do update set status = 'sending', attempts = s.attempts + 1,
      payload_hash = excluded.payload_hash, updated_at = now()
    returning entity, livia_id, attempts`);
  return new Map(
    rowsOf<{ entity: string; livia_id: string; attempts: number }>(result).map((r) => [
      syncKey(r.entity as EntityKind, r.livia_id),
      Number(r.attempts),
    ]),
  );
}

export type Outcome = { entity: EntityKind; liviaId: string } & (
  | { arcadId: string }
  | { failure: { reason: string; retryable: boolean } }
);

/** Records the outcomes of a batch in one statement: successes and failures alike. */
export async function recordOutcomes(db: Database, tenant: string, outcomes: Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const values = JSON.stringify(
    outcomes.map((o) =>
      'arcadId' in o
        ? { entity: o.entity, livia_id: o.liviaId, status: 'synced', arcad_id: o.arcadId }
        : {
            entity: o.entity,
            livia_id: o.liviaId,
            status: 'error',
            reason: o.failure.reason.slice(0, 2000),
            retryable: o.failure.retryable,
          },
    ),
  );
  await db.execute(sql`
    update ${sync} as s set status = v.status, arcad_id = coalesce(v.arcad_id, s.arcad_id),
      last_error = v.reason, retryable = v.retryable, updated_at = now(),
      synced_at = case when v.status = 'synced' then now() else s.synced_at end
    from jsonb_to_recordset(${values}::jsonb)
      as v(entity text, livia_id text, status text, arcad_id text, reason text, retryable boolean)
    where s.tenant = ${tenant} and s.entity = v.entity and s.livia_id = v.livia_id`);
}
