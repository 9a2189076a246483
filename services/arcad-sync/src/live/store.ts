import type { Database } from '@hip/shared';
import { and, eq, sql } from 'drizzle-orm';
import { liviaEntities, sync } from '../db/schema.ts';

/**
 * Records a LIVIA entity that comes from ARCAD360 (created or updated there): its LIVIA state and
 * its synchronised row, with the hash of what we would send back, so that LIVIA's echo of the
 * change is recognised as unchanged and not sent to ARCAD again.
 */
export async function saveFromArcad(
  tx: Database,
  tenant: string,
  link: { entity: string; liviaId: string; arcadId: string; data: object; hash: string },
) {
  await tx
    .insert(liviaEntities)
    .values({ tenant, entity: link.entity, liviaId: link.liviaId, data: link.data })
    .onConflictDoUpdate({
      target: [liviaEntities.tenant, liviaEntities.entity, liviaEntities.liviaId],
      set: { data: link.data, updatedAt: sql`now()` },
    });
  await tx
    .insert(sync)
    .values({
      tenant,
      entity: link.entity,
      liviaId: link.liviaId,
      arcadId: link.arcadId,
      status: 'synced',
      payloadHash: link.hash,
      syncedAt: new Date(),
    })
    .onConflictDoUpdate({
      target: [sync.tenant, sync.entity, sync.liviaId],
      set: {
        arcadId: link.arcadId,
        status: 'synced',
        payloadHash: link.hash,
        lastError: null,
        retryable: null,
        updatedAt: sql`now()`,
        syncedAt: sql`now()`,
      },
    });
}

/** The LIVIA id synchronised with an ARCAD id, if any. */
export async function liviaIdOf(tx: Database, tenant: string, entity: string, arcadId: string) {
  const [row] = await tx
    .select({ liviaId: sync.liviaId })
    .from(sync)
    .where(
      and(
        eq(sync.tenant, tenant),
        eq(sync.entity, entity),
        eq(sync.arcadId, arcadId),
        eq(sync.status, 'synced'),
      ),
    )
    .limit(1);
  return row?.liviaId ?? null;
}
