import { AppError, type Database, enqueueEvents, UpstreamError } from '@hip/shared';
import { ARCAD_SUBJECTS } from '@hip/shared/schemas';
import { and, eq, inArray } from 'drizzle-orm';
import { describeArcadFailure } from '../adapters/arcad.ts';
import { outbox, sync, tenants } from '../db/schema.ts';
import { payloadHash } from '../domain/hash.ts';
import { insProblem } from '../domain/ins.ts';
import type { LiveArcadApi } from './arcadApi.ts';
import { clientPayloadOf, residentFromClient, userFromArcad, userUpdateOf } from './liviaLive.ts';
import { saveFromArcad } from './store.ts';

/** Case and accent insensitive text, for matching names typed in LIVIA against ARCAD's. */
const fold = (s: string | null | undefined) =>
  (s ?? '')
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .trim();

export interface ClientCriteria {
  lastName: string;
  firstName?: string | undefined;
  birthDate?: string | undefined;
}
export interface UserCriteria {
  lastName: string;
  firstName?: string | undefined;
  login?: string | undefined;
}

/**
 * Search before create: the first search step of LIVIA's creation workflow also shows ARCAD360's
 * matches; picking one builds the LIVIA entity from ARCAD's data, already synchronised.
 */
export function createSearch(deps: { db: Database; live: LiveArcadApi; onEventsQueued: () => void }) {
  const { db, live } = deps;

  async function arcadTenantOf(tenant: string) {
    const [row] = await db.select().from(tenants).where(eq(tenants.tenant, tenant));
    if (!row) throw new AppError('NOT_FOUND', `the ARCAD360 interface is not activated for tenant ${tenant}`);
    return row.arcadTenant;
  }

  async function linked(tenant: string, entity: string, arcadIds: string[]) {
    if (arcadIds.length === 0) return new Map<string, string>();
    const rows = await db
      .select({ arcadId: sync.arcadId, liviaId: sync.liviaId })
      .from(sync)
      .where(
        and(
          eq(sync.tenant, tenant),
          eq(sync.entity, entity),
          eq(sync.status, 'synced'),
          inArray(sync.arcadId, arcadIds),
        ),
      );
    return new Map(rows.map((r) => [r.arcadId as string, r.liviaId]));
  }

  return {
    async clients(tenant: string, criteria: ClientCriteria) {
      const arcadTenant = await arcadTenantOf(tenant);
      const found = (await live.searchClients(arcadTenant, criteria.lastName)).filter(
        (c) =>
          fold(c.lastName).includes(fold(criteria.lastName)) &&
          (!criteria.firstName || fold(c.firstName).startsWith(fold(criteria.firstName))) &&
          (!criteria.birthDate || c.birthDate === criteria.birthDate),
      );
      const links = await linked(
        tenant,
        'resident',
        found.map((c) => c.id),
      );
      return found.map((c) => ({
        arcadId: c.id,
        lastName: c.lastName,
        firstName: c.firstName,
        birthDate: c.birthDate,
        sex: c.sex,
        postcode: c.postcode,
        city: c.city,
        ins: (c.ins ?? null) as object | null,
        insProblem: insProblem(c.ins),
        liviaId: links.get(c.id) ?? null,
      }));
    },

    async users(tenant: string, criteria: UserCriteria) {
      const arcadTenant = await arcadTenantOf(tenant);
      const found = (await live.searchUsers(arcadTenant, criteria.lastName)).filter(
        (u) =>
          fold(u.lastName).includes(fold(criteria.lastName)) &&
          (!criteria.firstName || fold(u.firstName).startsWith(fold(criteria.firstName))) &&
          (!criteria.login || fold(u.login) === fold(criteria.login)),
      );
      const links = await linked(
        tenant,
        'user',
        found.map((u) => u.id),
      );
      return found.map((u) => ({
        arcadId: u.id,
        login: u.login,
        lastName: u.lastName,
        firstName: u.firstName,
        email: u.email ?? null,
        liviaId: links.get(u.id) ?? null,
      }));
    },

    /** Builds the LIVIA resident from the ARCAD client, linked; LIVIA is told by `arcad.<t>.residents.created`. */
    async createResident(tenant: string, arcadId: string, liviaId?: string) {
      const arcadTenant = await arcadTenantOf(tenant);
      const already = (await linked(tenant, 'resident', [arcadId])).get(arcadId);
      if (already)
        throw new AppError('CONFLICT', `ARCAD client ${arcadId} is already LIVIA resident ${already}`);
      const client = await live.client(arcadTenant, arcadId).catch((error: unknown) => {
        // Only ARCAD's own 404 means "no such client": a 5xx or a timeout is ARCAD failing (502).
        if (error instanceof UpstreamError && error.details.status === 404)
          throw new AppError('NOT_FOUND', `no ARCAD360 client ${arcadId}`, { cause: error });
        throw new AppError(
          'UPSTREAM_FAILED',
          `ARCAD360 could not be asked for client ${arcadId}: ${describeArcadFailure(error).reason}`,
          { cause: error },
        );
      });
      const built = residentFromClient(liviaId ?? `arcad-${arcadId}`, client);
      if ('problem' in built) throw new AppError('UNPROCESSABLE', built.problem);
      const resident = built.resident;
      await db.transaction(async (tx) => {
        await saveFromArcad(tx, tenant, {
          entity: 'resident',
          liviaId: resident.id,
          arcadId,
          data: resident,
          hash: await payloadHash(clientPayloadOf(resident)),
        });
        await enqueueEvents(tx, outbox, [
          {
            subject: ARCAD_SUBJECTS.arcadChange(tenant, 'residents', 'created'),
            msgId: `${tenant}:from-arcad:resident:${arcadId}`,
            payload: { tenant, resident, arcadClientId: arcadId },
          },
        ]);
      });
      deps.onEventsQueued();
      return resident;
    },

    async createUser(tenant: string, arcadId: string, liviaId?: string) {
      const arcadTenant = await arcadTenantOf(tenant);
      const already = (await linked(tenant, 'user', [arcadId])).get(arcadId);
      if (already) throw new AppError('CONFLICT', `ARCAD user ${arcadId} is already LIVIA user ${already}`);
      const arcadUser = await live.user(arcadTenant, arcadId);
      if (!arcadUser) throw new AppError('NOT_FOUND', `no ARCAD360 user ${arcadId}`);
      const built = userFromArcad(liviaId ?? `arcad-${arcadId}`, arcadUser);
      if ('problem' in built) throw new AppError('UNPROCESSABLE', built.problem);
      const user = built.user;
      await db.transaction(async (tx) => {
        await saveFromArcad(tx, tenant, {
          entity: 'user',
          liviaId: user.id,
          arcadId,
          data: user,
          hash: await payloadHash(userUpdateOf(user)),
        });
        await enqueueEvents(tx, outbox, [
          {
            subject: ARCAD_SUBJECTS.arcadChange(tenant, 'users', 'created'),
            msgId: `${tenant}:from-arcad:user:${arcadId}`,
            payload: { tenant, user, arcadUserId: arcadId },
          },
        ]);
      });
      deps.onEventsQueued();
      return user;
    },
  };
}

export type Search = ReturnType<typeof createSearch>;
