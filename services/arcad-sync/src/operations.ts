import { AppError, type Database, fieldErrorsOf } from '@hip/shared';
import { stringify } from 'csv-stringify/sync';
import { and, asc, desc, eq, ilike, inArray, notInArray, or, sql } from 'drizzle-orm';
import type { ArcadApi, ArcadService } from './adapters/arcad.ts';
import { activityMappings, credentials, liviaEntities, sync, tenants } from './db/schema.ts';
import { type FlowId, flowDefinitions, flowIds, flowOfEntity } from './domain/flows.ts';
import {
  collectionEntity,
  type EntityKind,
  entityKinds,
  type LiviaActivity,
  type LiviaCollection,
  liviaSchemas,
} from './domain/liviaEntities.ts';
import { proposableActivities, syncKey } from './domain/plan.ts';
import { type ArcadSession, flowRefusal } from './domain/session.ts';
import type { FlowEngine } from './flows/engine.ts';
import { loadLivia, loadMappings, loadSync } from './flows/store.ts';

/** A LIKE pattern matching `text` literally: ids such as `u_1` must not match `ux1`. */
const contains = (text: string) => `%${text.replace(/[\\%_]/g, '\\$&')}%`;

export interface ErrorFilter {
  flow?: FlowId | undefined;
  entity?: EntityKind | undefined;
  q?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface MappingChoice {
  activityId: string;
  choice: 'create' | 'existing';
  arcadServiceId?: string | undefined;
}

/** What the API and the console both do on a tenant; checks included, so neither can skip one. */
export function createOperations(deps: { db: Database; engine: FlowEngine; arcad: ArcadApi }) {
  const { db, engine, arcad } = deps;

  async function tenantOf(tenant: string) {
    const [row] = await db.select().from(tenants).where(eq(tenants.tenant, tenant));
    if (!row) throw new AppError('NOT_FOUND', `the ARCAD360 interface is not activated for tenant ${tenant}`);
    return row;
  }

  /** Initialisation writes into ARCAD360: only a privileged account of that ARCAD tenant may. */
  async function requirePrivileged(tenant: string, session: ArcadSession | null) {
    const row = await tenantOf(tenant);
    const refusal = flowRefusal(session, row.arcadTenant, Date.now() / 1000);
    if (refusal) throw new AppError(session ? 'FORBIDDEN' : 'UNAUTHENTICATED', refusal);
    return { row, session: session as ArcadSession };
  }

  /** Reading a tenant's state needs an ARCAD360 session of that tenant (any role). */
  async function requireViewer(tenant: string, session: ArcadSession | null) {
    const row = await tenantOf(tenant);
    if (!session) throw new AppError('UNAUTHENTICATED', 'log in with ARCAD360 first (GET /auth/login)');
    if (session.arcadTenant !== row.arcadTenant)
      throw new AppError(
        'FORBIDDEN',
        `the ARCAD360 account belongs to tenant "${session.arcadTenant}", not "${row.arcadTenant}"`,
      );
    return row;
  }

  /**
   * Unresolved rows: failures, and rows left `sending` by a run that is no longer alive. The
   * rows a live run is sending are in flight, not errors: listing them would show every row of a
   * running flow as "outcome unknown" until it ends.
   */
  async function unresolved(tenant: string) {
    const inFlight = [...(await engine.runningFlows(tenant))].flatMap((f) => flowDefinitions[f].entities);
    return and(
      eq(sync.tenant, tenant),
      inFlight.length
        ? or(eq(sync.status, 'error'), and(eq(sync.status, 'sending'), notInArray(sync.entity, inFlight)))
        : inArray(sync.status, ['error', 'sending']),
    );
  }

  return {
    tenantOf,
    requirePrivileged,
    requireViewer,

    async listTenants() {
      return db.select().from(tenants).orderBy(asc(tenants.tenant));
    },

    /**
     * Links a LIVIA tenant to its ARCAD360 tenant, for good (409 afterwards): only a privileged
     * account of that ARCAD tenant may, so nobody can claim a LIVIA tenant for the wrong one.
     */
    async activate(tenant: string, arcadTenant: string, session: ArcadSession | null) {
      const refusal = flowRefusal(session, arcadTenant, Date.now() / 1000, 'activation');
      if (refusal) throw new AppError(session ? 'FORBIDDEN' : 'UNAUTHENTICATED', refusal);
      const [existing] = await db.select().from(tenants).where(eq(tenants.tenant, tenant));
      if (existing && existing.arcadTenant !== arcadTenant)
        throw new AppError(
          'CONFLICT',
          `tenant ${tenant} is already linked to ARCAD360 tenant ${existing.arcadTenant}; synchronised ids would no longer match`,
        );
      if (existing) return existing;
      // The seed's prerequisite: the tenant was created in ARCAD360. A mistyped name would only
      // show up later, as every entity of every flow failing.
      let known: boolean;
      try {
        known = await arcad.tenantExists(arcadTenant);
      } catch (error) {
        throw new AppError(
          'UPSTREAM_FAILED',
          `cannot check the ARCAD360 tenant ${arcadTenant}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      if (!known)
        throw new AppError(
          'UNPROCESSABLE',
          `ARCAD360 has no tenant "${arcadTenant}": enter the tenant name given by the CI service`,
        );
      const [row] = await db
        .insert(tenants)
        .values({ tenant, arcadTenant, activatedBy: (session as ArcadSession).sub })
        .returning();
      return row as typeof tenants.$inferSelect;
    },

    /** Stores a batch pushed by LIVIA; every bad item is named, nothing is stored when one is bad. */
    async pushLivia(tenant: string, collection: LiviaCollection, items: unknown[]) {
      await tenantOf(tenant);
      const schema = liviaSchemas[collection];
      const errors = [];
      const valid: { liviaId: string; data: unknown }[] = [];
      // One statement cannot write one row twice: a repeated id is the sender's error, named.
      const firstIndex = new Map<string, number>();
      for (const [index, item] of items.entries()) {
        const parsed = schema.safeParse(item);
        const first = parsed.success ? firstIndex.get(parsed.data.id) : undefined;
        if (parsed.success && first !== undefined)
          errors.push({ path: `/items/${index}/id`, message: `duplicate of /items/${first}` });
        else if (parsed.success) {
          firstIndex.set(parsed.data.id, index);
          valid.push({ liviaId: parsed.data.id, data: parsed.data });
        } else
          errors.push(
            ...fieldErrorsOf(parsed.error).map((e) => ({
              ...e,
              path: `/items/${index}${e.path === '/' ? '' : e.path}`,
            })),
          );
      }
      if (errors.length)
        throw new AppError(
          'VALIDATION_FAILED',
          `${errors.length} invalid field(s) in the ${collection} batch`,
          {
            errors,
          },
        );
      const entity = collectionEntity[collection];
      for (let i = 0; i < valid.length; i += 1000) {
        await db
          .insert(liviaEntities)
          .values(valid.slice(i, i + 1000).map((v) => ({ tenant, entity, liviaId: v.liviaId, data: v.data })))
          .onConflictDoUpdate({
            target: [liviaEntities.tenant, liviaEntities.entity, liviaEntities.liviaId],
            set: { data: sql`excluded.data`, updatedAt: sql`now()` },
          });
      }
      return { accepted: valid.length };
    },

    async startFlow(tenant: string, flow: FlowId, session: ArcadSession | null) {
      const { session: s, row } = await requirePrivileged(tenant, session);
      return engine.start(tenant, row.arcadTenant, flow, { startedBy: s.sub });
    },

    /** The I.3 screen: activities of synchronised establishments, with the legal entity's existing services. */
    async mappingView(tenant: string) {
      const { arcadTenant } = await tenantOf(tenant);
      const activities = await loadLivia<LiviaActivity>(db, tenant, 'activity');
      const syncStates = await loadSync(db, tenant, ['establishment', 'activity']);
      const mappings = await loadMappings(db, tenant);
      const proposed = proposableActivities(activities, syncStates);
      const servicesByEntity = new Map<string, ArcadService[]>();
      // A few legal entities at a time: a group can have hundreds of establishments.
      const legalEntities = [...new Set(proposed.map((p) => p.legalEntityId))];
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(8, legalEntities.length) }, async () => {
          while (next < legalEntities.length) {
            const legalEntityId = legalEntities[next++] as string;
            servicesByEntity.set(legalEntityId, await arcad.servicesOf(arcadTenant, legalEntityId));
          }
        }),
      );
      return proposed.map((p) => ({
        activityId: p.activity.id,
        name: p.activity.name,
        establishmentId: p.activity.establishmentId,
        legalEntityId: p.legalEntityId,
        synced: p.synced,
        choice: mappings.get(p.activity.id) ?? null,
        existingServices: (servicesByEntity.get(p.legalEntityId) ?? []).map((s) => ({
          id: s.id,
          name: s.name,
        })),
      }));
    },

    /** Saves the admin's choices, then sends them: the seed's "save" starts I.3. */
    async saveMapping(tenant: string, choices: MappingChoice[], session: ArcadSession | null) {
      const { session: s, row } = await requirePrivileged(tenant, session);
      const view = await this.mappingView(tenant);
      const byId = new Map(view.map((v) => [v.activityId, v]));
      const errors = choices.flatMap((choice, i) => {
        const proposed = byId.get(choice.activityId);
        if (!proposed)
          return [
            {
              path: `/choices/${i}/activityId`,
              message: 'not a proposed activity (unknown, or its establishment is not synchronised)',
            },
          ];
        if (
          choice.choice === 'existing' &&
          !proposed.existingServices.some((x) => x.id === choice.arcadServiceId)
        )
          return [
            { path: `/choices/${i}/arcadServiceId`, message: 'not an existing service of the legal entity' },
          ];
        return [];
      });
      if (errors.length)
        throw new AppError('UNPROCESSABLE', 'some mapping choices are not valid', { errors });
      // The last choice for an activity wins, as on a form; all are saved in one statement.
      const latest = new Map(choices.map((choice) => [choice.activityId, choice]));
      await db
        .insert(activityMappings)
        .values(
          [...latest.values()].map((choice) => ({
            tenant,
            activityId: choice.activityId,
            choice: choice.choice,
            arcadServiceId: choice.choice === 'existing' ? (choice.arcadServiceId ?? null) : null,
            savedBy: s.sub,
          })),
        )
        .onConflictDoUpdate({
          target: [activityMappings.tenant, activityMappings.activityId],
          set: {
            choice: sql`excluded.choice`,
            arcadServiceId: sql`excluded.arcad_service_id`,
            savedBy: sql`excluded.saved_by`,
            savedAt: sql`now()`,
          },
        });
      return engine.start(tenant, row.arcadTenant, 'I.3', { startedBy: s.sub });
    },

    async listErrors(tenant: string, filter: ErrorFilter) {
      await tenantOf(tenant);
      const entities = filter.entity
        ? [filter.entity]
        : filter.flow
          ? flowDefinitions[filter.flow].entities
          : null;
      const where = and(
        await unresolved(tenant),
        entities ? inArray(sync.entity, entities) : undefined,
        filter.q
          ? or(ilike(sync.liviaId, contains(filter.q)), ilike(sync.lastError, contains(filter.q)))
          : undefined,
      );
      const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(sync).where(where);
      const rows = await db
        .select()
        .from(sync)
        .where(where)
        .orderBy(desc(sync.updatedAt), asc(sync.id))
        .limit(filter.limit ?? 100)
        .offset(filter.offset ?? 0);
      return {
        total: Number(count?.n ?? 0),
        items: rows.map((r) => ({
          id: r.id,
          flow: flowOfEntity(r.entity as EntityKind),
          entity: r.entity as EntityKind,
          liviaId: r.liviaId,
          arcadId: r.arcadId,
          status: r.status as 'error' | 'sending',
          reason: r.lastError ?? 'outcome unknown: the run stopped while it was being sent',
          retryable: r.retryable,
          attempts: r.attempts,
          updatedAt: r.updatedAt.toISOString(),
        })),
      };
    },

    /** Retries failed entities: one run per flow concerned, each subject to the flow's lock. */
    async retry(
      tenant: string,
      selection: { ids?: number[] | undefined; all?: boolean | undefined; flow?: FlowId | undefined },
      session: ArcadSession | null,
    ) {
      const { session: s, row: tenantRow } = await requirePrivileged(tenant, session);
      if (!selection.all && !selection.ids?.length)
        throw new AppError('BAD_REQUEST', 'give the ids of the errors to retry, or all: true');
      const rows = await db
        .select({ id: sync.id, entity: sync.entity, liviaId: sync.liviaId })
        .from(sync)
        .where(
          and(
            await unresolved(tenant),
            selection.ids?.length ? inArray(sync.id, selection.ids) : undefined,
            selection.flow ? inArray(sync.entity, flowDefinitions[selection.flow].entities) : undefined,
          ),
        );
      if (rows.length === 0) throw new AppError('NOT_FOUND', 'no unresolved error matches this selection');
      const byFlow = new Map<FlowId, Set<string>>();
      for (const r of rows) {
        const flow = flowOfEntity(r.entity as EntityKind);
        if (!byFlow.has(flow)) byFlow.set(flow, new Set());
        byFlow.get(flow)?.add(syncKey(r.entity as EntityKind, r.liviaId));
      }
      const runs: { flow: FlowId; runId: string | null; refused: string | null; entities: number }[] = [];
      for (const flow of flowIds.filter((f) => byFlow.has(f))) {
        const only = byFlow.get(flow) as Set<string>;
        try {
          runs.push({
            flow,
            runId: await engine.start(tenant, tenantRow.arcadTenant, flow, { startedBy: s.sub, only }),
            refused: null,
            entities: only.size,
          });
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          runs.push({ flow, runId: null, refused: error.detail, entities: only.size });
        }
      }
      return runs;
    },

    /**
     * The CSV of logins and temporary passwords of the users I.1 created, for the privileged
     * admin only, purged as it is handed over: the passwords exist nowhere else afterwards.
     */
    async takeCredentialsCsv(tenant: string, session: ArcadSession | null) {
      await requirePrivileged(tenant, session);
      // One statement hands over and purges: two concurrent downloads cannot both get a password.
      const rows = await db
        .delete(credentials)
        .where(
          and(
            eq(credentials.tenant, tenant),
            inArray(
              credentials.userId,
              db
                .select({ id: sync.liviaId })
                .from(sync)
                .where(and(eq(sync.tenant, tenant), eq(sync.entity, 'user'), eq(sync.status, 'synced'))),
            ),
          ),
        )
        .returning({ login: credentials.login, password: credentials.password });
      if (rows.length === 0)
        throw new AppError(
          'GONE',
          'no temporary password to hand over: the CSV was already downloaded (and purged), or I.1 created no user yet',
        );
      rows.sort((x, y) => x.login.localeCompare(y.login));
      return stringify(
        rows.map((r) => [r.login, r.password]),
        { header: true, columns: ['login', 'temporary_password'] },
      );
    },

    async pendingCredentials(tenant: string) {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(credentials)
        .innerJoin(
          sync,
          and(
            eq(sync.tenant, credentials.tenant),
            eq(sync.entity, 'user'),
            eq(sync.liviaId, credentials.userId),
          ),
        )
        .where(and(eq(credentials.tenant, tenant), eq(sync.status, 'synced')));
      return Number(row?.n ?? 0);
    },

    /** How many entities of each kind LIVIA pushed for the tenant: the console shows what there is to send. */
    async pushedCounts(tenant: string): Promise<Partial<Record<EntityKind, number>>> {
      const rows = await db
        .select({ entity: liviaEntities.entity, n: sql<number>`count(*)::int` })
        .from(liviaEntities)
        .where(eq(liviaEntities.tenant, tenant))
        .groupBy(liviaEntities.entity);
      return Object.fromEntries(
        entityKinds
          .filter((e) => rows.some((r) => r.entity === e))
          .map((e) => [e, Number(rows.find((r) => r.entity === e)?.n ?? 0)]),
      );
    },

    /** The errors of a flow for its end-of-run report. */
    async flowErrors(tenant: string, flow: FlowId, limit = 50) {
      return this.listErrors(tenant, { flow, limit });
    },

    syncKeyOf: syncKey,
  };
}

export type Operations = ReturnType<typeof createOperations>;
