import {
  type Bus,
  type BusMessage,
  type Database,
  deadLetterSubject,
  fieldErrorsOf,
  type Logger,
  runPeriodically,
  subscribeDeadLetters,
} from '@hip/shared';
import { arcadTenantToken } from '@hip/shared/schemas';
import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { type ArcadApi, type ArcadCollection, describeArcadFailure } from '../adapters/arcad.ts';
import { liviaEntities, sync, tenants } from '../db/schema.ts';
import { payloadHash } from '../domain/hash.ts';
import type { LiviaFamilyContact, LiviaIntervenant } from '../domain/liviaEntities.ts';
import {
  arcadPartnerOf,
  arcadPersonalCircleOf,
  arcadUserOf,
  intervenantLinkId,
  isDeceased,
} from '../domain/payloads.ts';
import type { LiveArcadApi } from './arcadApi.ts';
import {
  clientPayloadOf,
  type LiveEntity,
  type LiveResident,
  type LiveStay,
  type LiveUser,
  liveSchemas,
  userUpdateOf,
} from './liviaLive.ts';
import { liveSends, liveStays, type SendStatus } from './schema.ts';

export const OUTBOUND_DURABLE = 'arcad-sync-live-outbound';
const DEAD_LETTER_PREFIX = deadLetterSubject(OUTBOUND_DURABLE, '');
/** The sync table's entity kind of each live entity (stays are not sent). */
const syncEntity: Record<LiveEntity, string | null> = {
  residents: 'resident',
  users: 'user',
  'family-contacts': 'family_contact',
  intervenants: 'intervenant',
  stays: null,
};
const LOCK_SPACE = 1095910213;

/** LIVIA's `updatedAt` of a stored send's payload, when it has a valid one. */
function parkedVersion(row: { payload: unknown } | null): string | null {
  const at = (row?.payload as { updatedAt?: unknown } | null)?.updatedAt;
  return typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? at : null;
}
/** The note a parked send gets when an older change is ignored because of it (replaced, not piled up). */
const IGNORED_NOTE = /; ignored since: .*$/s;

/**
 * The payload kept in `live_sends`: a user's creation password only while its send waits for a
 * retry (which needs it), never once the send is over.
 */
function storedPayload(payload: unknown, outcome: { status: SendStatus }): unknown {
  if (outcome.status === 'failed' || !payload || typeof payload !== 'object' || !('password' in payload))
    return payload;
  const { password: _secret, ...kept } = payload as { password?: unknown };
  return kept;
}

/** What happened to one LIVIA change; failures carry whether a retry as is may succeed. */
type SendOutcome = { status: SendStatus; reason?: string; retryable?: boolean };

/** The parked work: a precondition not met yet (a parent not synchronised), retryable. */
class NotYet extends Error {
  override name = 'NotYet';
}

export interface OutboundDeps {
  db: Database;
  bus: Bus;
  arcad: ArcadApi;
  live: LiveArcadApi;
  logger: Logger;
  concurrency?: number;
  /** Failed retryable sends are sent again after `baseMs`, doubling, up to `maxAttempts`; 0 = off. */
  autoRetry?: { baseMs: number; maxAttempts: number };
}

/**
 * LIVIA -> ARCAD360. Each LIVIA change is sent under a per-entity advisory lock (two replicas
 * never send the same entity at once), creations look the entity up by its external id first
 * (never created twice), and every outcome is kept in `live_sends`: failures stay there with
 * their reason until retried.
 */
export function createOutbound(deps: OutboundDeps) {
  const { db, bus, arcad, live, logger } = deps;
  let subscription: { stop(): Promise<void> } | undefined;
  let deadLetters: { stop(): Promise<void> } | undefined;
  let stopRetries: (() => Promise<void>) | undefined;

  /** Sends again the failed sends whose backoff is over; claiming them (updated_at) keeps replicas apart. */
  async function retryDue(auto: { baseMs: number; maxAttempts: number }) {
    const due = await db
      .update(liveSends)
      .set({ updatedAt: sql`now()` })
      .where(
        and(
          eq(liveSends.status, 'failed'),
          eq(liveSends.retryable, true),
          sql`${liveSends.attempts} < ${auto.maxAttempts}`,
          sql`${liveSends.updatedAt} < now() - make_interval(secs => ${auto.baseMs / 1000}::float8 * power(2, ${liveSends.attempts} - 1))`,
        ) as SQL,
      )
      .returning();
    for (const r of due) {
      const [t] = await db.select().from(tenants).where(eq(tenants.tenant, r.tenant));
      if (t) await process(r.tenant, t.arcadTenant, r.entity as LiveEntity, 'upserted', r.payload);
    }
  }

  // Activations never change ARCAD tenant: known ones are remembered, an unknown token reloads.
  const byToken = new Map<string, typeof tenants.$inferSelect>();
  async function tenantOfToken(token: string) {
    if (!byToken.has(token))
      for (const row of await db.select().from(tenants)) byToken.set(arcadTenantToken(row.tenant), row);
    return byToken.get(token) ?? null;
  }

  async function syncRow(tx: Database, tenant: string, entity: string, liviaId: string) {
    const [row] = await tx
      .select()
      .from(sync)
      .where(and(eq(sync.tenant, tenant), eq(sync.entity, entity), eq(sync.liviaId, liviaId)));
    return row ?? null;
  }

  async function markSynced(
    tx: Database,
    tenant: string,
    entity: string,
    liviaId: string,
    arcadId: string,
    hash: string,
  ) {
    await tx
      .insert(sync)
      .values({
        tenant,
        entity,
        liviaId,
        arcadId,
        status: 'synced',
        attempts: 1,
        payloadHash: hash,
        syncedAt: new Date(),
      })
      .onConflictDoUpdate({
        target: [sync.tenant, sync.entity, sync.liviaId],
        set: {
          arcadId,
          status: 'synced',
          payloadHash: hash,
          lastError: null,
          retryable: null,
          attempts: sql`${sync.attempts} + 1`,
          updatedAt: sql`now()`,
          syncedAt: sql`now()`,
        },
      });
  }

  async function remember(tx: Database, tenant: string, entity: string, data: { id: string }) {
    await tx
      .insert(liviaEntities)
      .values({ tenant, entity, liviaId: data.id, data })
      .onConflictDoUpdate({
        target: [liviaEntities.tenant, liviaEntities.entity, liviaEntities.liviaId],
        set: { data, updatedAt: sql`now()` },
      });
  }

  /**
   * Two replicas may take two changes of one entity out of order: the one LIVIA made first must
   * not overwrite the later one in ARCAD. Compared on LIVIA's `updatedAt` when events carry it.
   */
  async function staleness(
    tx: Database,
    tenant: string,
    entity: LiveEntity,
    item: { id: string; updatedAt?: string },
  ) {
    const kind = syncEntity[entity];
    if (!kind || !item.updatedAt) return null;
    const [row] = await tx
      .select({ updatedAt: sql<string | null>`${liviaEntities.data}->>'updatedAt'` })
      .from(liviaEntities)
      .where(
        and(
          eq(liviaEntities.tenant, tenant),
          eq(liviaEntities.entity, kind),
          eq(liviaEntities.liviaId, item.id),
        ) as SQL,
      );
    const known = row?.updatedAt;
    if (known && Date.parse(known) > Date.parse(item.updatedAt))
      return `older than the version already processed (LIVIA change of ${item.updatedAt}, already at ${known})`;
    // A newer version that failed left no trace in livia_entities (its transaction rolled back):
    // it waits parked in live_sends, and an older one must not overtake it.
    const parked = parkedVersion(await parkedSend(tx, tenant, entity, item.id));
    return parked && Date.parse(parked) > Date.parse(item.updatedAt)
      ? `older than the version parked for a retry (LIVIA change of ${item.updatedAt}, parked at ${parked})`
      : null;
  }

  async function parkedSend(tx: Database, tenant: string, entity: string, liviaId: string) {
    const [row] = await tx
      .select()
      .from(liveSends)
      .where(
        and(
          eq(liveSends.tenant, tenant),
          eq(liveSends.entity, entity),
          eq(liveSends.liviaId, liviaId),
          eq(liveSends.status, 'failed'),
        ) as SQL,
      );
    return row ?? null;
  }

  const lockEntity = (tx: Database, tenant: string, entity: string, liviaId: string) =>
    tx.execute(
      sql`select pg_advisory_xact_lock(${LOCK_SPACE}::int, hashtext(${`${tenant}/${entity}/${liviaId}`}))`,
    );

  /** Creates in ARCAD unless an earlier attempt already did (found by external id). */
  async function createOnce(
    arcadTenant: string,
    collection: ArcadCollection,
    externalId: string,
    create: () => Promise<string>,
  ) {
    return (await arcad.findByExternalId(arcadTenant, collection, externalId)) ?? (await create());
  }

  /** The ARCAD client of a resident, or a retryable refusal while the resident is not synchronised. */
  async function clientOf(tx: Database, tenant: string, residentId: string) {
    const row = await syncRow(tx, tenant, 'resident', residentId);
    if (row?.status !== 'synced' || !row.arcadId)
      throw new NotYet(`resident ${residentId} is not synchronised with ARCAD360 yet`);
    return row.arcadId;
  }

  async function send(
    tx: Database,
    tenant: string,
    arcadTenant: string,
    entity: LiveEntity,
    item: unknown,
  ): Promise<SendOutcome> {
    switch (entity) {
      case 'stays': {
        const stay = item as LiveStay;
        // LIVIA's own stays: kept to choose between the seed's stay cases; ARCAD is the master of stays.
        const fields = {
          residentId: stay.residentId,
          activityId: stay.activityId,
          startDate: stay.startDate,
          plannedEndDate: stay.plannedEndDate ?? null,
          endDate: stay.endDate ?? null,
        };
        await tx
          .insert(liveStays)
          .values({ tenant, liviaId: stay.id, ...fields })
          .onConflictDoUpdate({
            target: [liveStays.tenant, liveStays.liviaId],
            set: { ...fields, updatedAt: sql`now()` },
          });
        return { status: 'ignored', reason: 'stays are mastered by ARCAD360: recorded, not sent' };
      }
      case 'residents': {
        const resident = item as LiveResident;
        await remember(tx, tenant, 'resident', resident);
        const payload = clientPayloadOf(resident);
        const hash = await payloadHash(payload);
        const row = await syncRow(tx, tenant, 'resident', resident.id);
        if (row?.status === 'synced' && row.arcadId) {
          if (row.payloadHash === hash)
            return { status: 'ignored', reason: 'unchanged since the last synchronisation' };
          const { externalId: _e, active: _a, ...update } = payload;
          await live.updateClient(arcadTenant, row.arcadId, update);
          await markSynced(tx, tenant, 'resident', resident.id, row.arcadId, hash);
          return { status: 'sent', reason: 'client updated' };
        }
        if (isDeceased(resident))
          return { status: 'ignored', reason: 'deceased residents are not sent to ARCAD360' };
        const arcadId = await createOnce(arcadTenant, 'clients', resident.id, () =>
          arcad.createClient(arcadTenant, payload),
        );
        await markSynced(tx, tenant, 'resident', resident.id, arcadId, hash);
        return { status: 'sent', reason: 'client created and synchronised' };
      }
      case 'users': {
        const { password, ...user } = item as LiveUser;
        await remember(tx, tenant, 'user', user);
        const row = await syncRow(tx, tenant, 'user', user.id);
        if (row?.status === 'synced' && row.arcadId) {
          const update = userUpdateOf(user);
          const hash = await payloadHash(update);
          if (row.payloadHash === hash)
            return { status: 'ignored', reason: 'unchanged since the last synchronisation' };
          await live.updateUser(arcadTenant, row.arcadId, update);
          await markSynced(tx, tenant, 'user', user.id, row.arcadId, hash);
          return { status: 'sent', reason: 'user updated' };
        }
        if (!password)
          return {
            status: 'refused',
            reason:
              'a new user needs the password chosen at its creation: it becomes the ARCAD360 temporary password',
            retryable: false,
          };
        const input = arcadUserOf(user, password);
        const arcadId = await createOnce(arcadTenant, 'users', user.id, () =>
          arcad.createUser(arcadTenant, input),
        );
        const hash = await payloadHash(userUpdateOf(user));
        await markSynced(tx, tenant, 'user', user.id, arcadId, hash);
        return { status: 'sent', reason: 'user created with the creation password as temporary password' };
      }
      case 'family-contacts': {
        const contact = item as LiviaFamilyContact;
        await remember(tx, tenant, 'family_contact', contact);
        const clientId = await clientOf(tx, tenant, contact.residentId);
        const input = arcadPersonalCircleOf(contact);
        const hash = await payloadHash({ ...input, clientId });
        const row = await syncRow(tx, tenant, 'family_contact', contact.id);
        if (row?.status === 'synced' && row.arcadId) {
          if (row.payloadHash === hash)
            return { status: 'ignored', reason: 'unchanged since the last synchronisation' };
          await live.updatePersonalCircle(arcadTenant, row.arcadId, input);
          await markSynced(tx, tenant, 'family_contact', contact.id, row.arcadId, hash);
          return { status: 'sent', reason: 'contact and link updated' };
        }
        // The contact and its link to the client in ONE request: each contact is a distinct person.
        const arcadId = await createOnce(arcadTenant, 'personal-circle', contact.id, () =>
          arcad.createPersonalCircle(arcadTenant, clientId, input),
        );
        await markSynced(tx, tenant, 'family_contact', contact.id, arcadId, hash);
        return { status: 'sent', reason: 'contact created with its link' };
      }
      case 'intervenants': {
        const intervenant = item as LiviaIntervenant;
        await remember(tx, tenant, 'intervenant', intervenant);
        const input = arcadPartnerOf(intervenant);
        const hash = await payloadHash(input);
        const row = await syncRow(tx, tenant, 'intervenant', intervenant.id);
        let partnerId: string;
        const done: string[] = [];
        if (row?.status === 'synced' && row.arcadId) {
          partnerId = row.arcadId;
          if (row.payloadHash !== hash) {
            await live.updatePartner(arcadTenant, partnerId, input);
            await markSynced(tx, tenant, 'intervenant', intervenant.id, partnerId, hash);
            done.push('partner updated');
          }
        } else {
          partnerId = await createOnce(arcadTenant, 'partners', intervenant.id, () =>
            arcad.createPartner(arcadTenant, input),
          );
          await markSynced(tx, tenant, 'intervenant', intervenant.id, partnerId, hash);
          done.push('partner created');
        }
        // Each link in its own request: the partner exists once, linked to every resident it follows.
        const waiting: string[] = [];
        let linked = 0;
        for (const residentId of intervenant.residentIds) {
          const linkId = intervenantLinkId(intervenant.id, residentId);
          if ((await syncRow(tx, tenant, 'intervenant_link', linkId))?.status === 'synced') continue;
          const resident = await syncRow(tx, tenant, 'resident', residentId);
          if (resident?.status !== 'synced' || !resident.arcadId) {
            waiting.push(residentId);
            continue;
          }
          const clientId = resident.arcadId;
          const link = { externalId: linkId, partnerId, role: intervenant.profession };
          const arcadId = await createOnce(arcadTenant, 'professional-circle', linkId, () =>
            arcad.createProfessionalCircle(arcadTenant, clientId, link),
          );
          await markSynced(
            tx,
            tenant,
            'intervenant_link',
            linkId,
            arcadId,
            await payloadHash({ ...link, clientId }),
          );
          linked++;
        }
        if (linked) done.push(`${linked} link(s) created`);
        // What was sent stays recorded (no rollback); the links still waiting make it a retryable failure.
        if (waiting.length)
          return {
            status: 'failed',
            reason: `${done.length ? `${done.join(', ')}; ` : ''}resident(s) ${waiting.join(', ')} not synchronised with ARCAD360 yet: their links wait`,
            retryable: true,
          };
        return done.length
          ? { status: 'sent', reason: done.join(', ') }
          : { status: 'ignored', reason: 'unchanged since the last synchronisation' };
      }
    }
  }

  /**
   * Keeps the outcome of a LIVIA change as the entity's last send. Under the entity's lock, a
   * parked (failed) newer version is never replaced by an older one: it keeps its payload, to be
   * sent by its retry, and only notes the older change it made ignored.
   */
  async function record(
    tenant: string,
    entity: string,
    liviaId: string,
    payload: unknown,
    outcome: SendOutcome,
  ) {
    await db.transaction(async (tx) => {
      await lockEntity(tx, tenant, entity, liviaId);
      const parked = await parkedSend(tx, tenant, entity, liviaId);
      const parkedAt = parkedVersion(parked);
      const incoming = parkedVersion({ payload });
      if (parked && parkedAt && incoming && Date.parse(parkedAt) > Date.parse(incoming)) {
        logger.info(
          { tenant, entity, liviaId, incoming },
          'older LIVIA change ignored: a newer one is parked',
        );
        const base = (parked.reason ?? '').replace(IGNORED_NOTE, '');
        await tx
          .update(liveSends)
          .set({ reason: `${base}; ignored since: ${outcome.reason ?? 'an older change'}`.slice(0, 2000) })
          .where(
            and(
              eq(liveSends.tenant, tenant),
              eq(liveSends.entity, entity),
              eq(liveSends.liviaId, liviaId),
            ) as SQL,
          );
        return;
      }
      await upsertSend(tx, tenant, entity, liviaId, payload, outcome);
    });
  }

  async function upsertSend(
    tx: Database,
    tenant: string,
    entity: string,
    liviaId: string,
    payload: unknown,
    outcome: SendOutcome,
  ) {
    await tx
      .insert(liveSends)
      .values({
        tenant,
        entity,
        liviaId,
        status: outcome.status,
        reason: outcome.reason?.slice(0, 2000) ?? null,
        retryable: outcome.retryable ?? null,
        attempts: 1,
        payload: payload as object,
      })
      .onConflictDoUpdate({
        target: [liveSends.tenant, liveSends.entity, liveSends.liviaId],
        set: {
          status: outcome.status,
          reason: outcome.reason?.slice(0, 2000) ?? null,
          retryable: outcome.retryable ?? null,
          attempts: sql`${liveSends.attempts} + 1`,
          payload: payload as object,
          updatedAt: sql`now()`,
        },
      });
  }

  /** Validates, then sends one LIVIA change under the entity's lock; the outcome is recorded, never thrown. */
  async function process(
    tenant: string,
    arcadTenant: string,
    entity: LiveEntity,
    change: 'upserted' | 'deleted',
    payload: unknown,
  ) {
    const liviaId = String((payload as { id?: unknown })?.id ?? '');
    if (change === 'deleted') {
      if (entity === 'stays' && liviaId)
        await db
          .delete(liveStays)
          .where(and(eq(liveStays.tenant, tenant), eq(liveStays.liviaId, liviaId)) as SQL);
      await record(tenant, entity, liviaId || '?', payload ?? {}, {
        status: 'ignored',
        reason: 'deletions are not sent to ARCAD360 (interface v2)',
      });
      return;
    }
    const parsed = liveSchemas[entity].safeParse(payload);
    if (!parsed.success) {
      const reason = fieldErrorsOf(parsed.error)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; ');
      await record(tenant, entity, liviaId || '?', payload ?? {}, {
        status: 'refused',
        reason: `not sent: ${reason}`,
        retryable: false,
      });
      return;
    }
    let outcome: SendOutcome;
    try {
      outcome = await db.transaction(async (tx) => {
        await lockEntity(tx, tenant, entity, liviaId);
        const stale = await staleness(tx, tenant, entity, parsed.data as { id: string; updatedAt?: string });
        if (stale) return { status: 'ignored', reason: stale };
        return send(tx, tenant, arcadTenant, entity, parsed.data);
      });
    } catch (error) {
      outcome =
        error instanceof NotYet
          ? { status: 'failed', reason: error.message, retryable: true }
          : { status: 'failed', ...describeArcadFailure(error) };
      logger.warn({ tenant, entity, liviaId, err: outcome.reason }, 'live send to ARCAD360 failed, parked');
    }
    // The error manager first: whoever sees the send parked finds it there too.
    if (outcome.status === 'failed' || outcome.status === 'refused')
      await parkInSync(tenant, syncEntity[entity], liviaId, outcome);
    await record(tenant, entity, liviaId, storedPayload(parsed.data, outcome), outcome);
  }

  /**
   * A creation that failed also shows in the error manager (sync row in `error`), whose retry
   * re-runs the flow for it. A synchronised row is never downgraded: its failed update stays
   * in `live_sends` only, retried from the ARCAD messages page.
   */
  async function parkInSync(tenant: string, entity: string | null, liviaId: string, outcome: SendOutcome) {
    if (!entity) return;
    const reason = (outcome.reason ?? 'live send failed').slice(0, 2000);
    const retryable = outcome.retryable ?? outcome.status === 'failed';
    await db
      .insert(sync)
      .values({ tenant, entity, liviaId, status: 'error', lastError: reason, retryable, attempts: 1 })
      .onConflictDoUpdate({
        target: [sync.tenant, sync.entity, sync.liviaId],
        set: {
          status: 'error',
          lastError: reason,
          retryable,
          attempts: sql`${sync.attempts} + 1`,
          updatedAt: sql`now()`,
        },
        setWhere: sql`${sync.status} <> 'synced'`,
      });
  }

  async function handle(message: BusMessage) {
    // A dead letter keeps the original subject after its `dlq.<durable>.` prefix.
    const subject = message.subject.startsWith(DEAD_LETTER_PREFIX)
      ? message.subject.slice(DEAD_LETTER_PREFIX.length)
      : message.subject;
    const [, token = '?', entity = '?', change = '?'] = subject.split('.');
    let payload: unknown;
    try {
      payload = message.json();
    } catch {
      payload = { raw: message.text().slice(0, 500) };
    }
    const liviaId = String((payload as { id?: unknown } | null)?.id ?? '') || '?';
    const tenant = await tenantOfToken(token);
    // Never dropped silently: what cannot be sent is kept in the sends log with the reason.
    const ignored = async (tenantName: string, reason: string) => {
      logger.warn({ subject }, `LIVIA event ignored: ${reason}`);
      await record(tenantName, entity, liviaId, payload ?? {}, { status: 'ignored', reason });
    };
    if (!tenant)
      return ignored(
        token,
        `tenant "${token}" has not activated the ARCAD360 interface: its data is sent by the initialisation flows once activated`,
      );
    if (!liveSchemas[entity as LiveEntity])
      return ignored(
        tenant.tenant,
        `LIVIA entity "${entity}" has no live flow to ARCAD360 (known: ${Object.keys(liveSchemas).join(', ')})`,
      );
    if (change !== 'upserted' && change !== 'deleted')
      return ignored(tenant.tenant, `unknown change "${change}" (expected upserted or deleted)`);
    await process(tenant.tenant, tenant.arcadTenant, entity as LiveEntity, change, payload);
  }

  return {
    async start() {
      const auto = deps.autoRetry ?? { baseMs: 30_000, maxAttempts: 5 };
      if (auto.baseMs > 0)
        stopRetries = runPeriodically({
          everyMs: Math.max(50, Math.floor(auto.baseMs / 2)),
          job: () => retryDue(auto),
          onError: (error) => logger.warn({ err: error }, 'automatic retry of live sends failed'),
        });
      subscription = await bus.subscribe({
        subject: 'livia.>',
        durable: OUTBOUND_DURABLE,
        handler: handle,
        concurrency: deps.concurrency ?? 8,
        backoffMs: [200, 1_000, 5_000],
        maxDeliver: 10,
      });
      // A change dead-lettered after 10 failed deliveries (database down for a while) is taken
      // back, with a longer patience: no LIVIA change is lost to an outage.
      deadLetters = await subscribeDeadLetters(bus, {
        of: OUTBOUND_DURABLE,
        durable: `${OUTBOUND_DURABLE}-dead-letters`,
        handler: handle,
        backoffMs: [5_000, 30_000, 120_000],
      });
    },
    async stop() {
      await stopRetries?.();
      await subscription?.stop();
      await deadLetters?.stop();
    },
    /** Sends parked changes again (their last LIVIA version), one by one. */
    async retry(tenant: string, selection: { entity: string; liviaId: string }[] | 'all') {
      const [t] = await db.select().from(tenants).where(eq(tenants.tenant, tenant));
      if (!t) return 0;
      const rows = await db
        .select()
        .from(liveSends)
        .where(and(eq(liveSends.tenant, tenant), eq(liveSends.status, 'failed')) as SQL);
      const chosen =
        selection === 'all'
          ? rows
          : rows.filter((r) => selection.some((s) => s.entity === r.entity && s.liviaId === r.liviaId));
      for (const r of chosen)
        await process(tenant, t.arcadTenant, r.entity as LiveEntity, 'upserted', r.payload);
      return chosen.length;
    },
    async log(tenant: string, filter: { status?: SendStatus[]; limit?: number } = {}) {
      const rows = await db
        .select()
        .from(liveSends)
        .where(
          and(
            eq(liveSends.tenant, tenant),
            filter.status ? inArray(liveSends.status, filter.status) : undefined,
          ) as SQL,
        )
        .orderBy(desc(liveSends.updatedAt))
        .limit(filter.limit ?? 200);
      // A failure resolved since by a retry from the error manager shows as resolved.
      const synced = await db
        .select({ entity: sync.entity, liviaId: sync.liviaId, syncedAt: sync.syncedAt })
        .from(sync)
        .where(
          and(
            eq(sync.tenant, tenant),
            eq(sync.status, 'synced'),
            inArray(
              sync.liviaId,
              rows
                .filter((r) => r.status === 'failed')
                .map((r) => r.liviaId)
                .concat(''),
            ),
          ) as SQL,
        );
      const resolved = (r: (typeof rows)[number]) =>
        r.status === 'failed' &&
        synced.some(
          (x) =>
            x.entity === syncEntity[r.entity as LiveEntity] &&
            x.liviaId === r.liviaId &&
            (x.syncedAt?.getTime() ?? 0) > r.updatedAt.getTime(),
        );
      return rows.map((r) => ({
        entity: r.entity,
        liviaId: r.liviaId,
        status: resolved(r) ? ('sent' as const) : r.status,
        reason: resolved(r) ? `resolved since by a retry: ${r.reason}` : r.reason,
        retryable: r.status === 'failed' && r.retryable !== false && !resolved(r),
        attempts: r.attempts,
        updatedAt: r.updatedAt.toISOString(),
      }));
    },
  };
}

export type Outbound = ReturnType<typeof createOutbound>;
