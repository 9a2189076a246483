import {
  type Bus,
  type BusMessage,
  type Database,
  enqueueEvents,
  type Logger,
  type OutgoingEvent,
  runPeriodically,
  subscribeDeadLetters,
  z,
} from '@hip/shared';
import { ARCAD_SUBJECTS, arcadTenantToken } from '@hip/shared/schemas';
import { and, asc, count, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { describeArcadFailure } from '../adapters/arcad.ts';
import { liviaEntities, outbox, tenants } from '../db/schema.ts';
import { payloadHash } from '../domain/hash.ts';
import type { LiveArcadApi } from './arcadApi.ts';
import { clientPayloadOf, type LiveResident, residentFromClient } from './liviaLive.ts';
import { ArcadEnvelope, ArcadEvent, kindOf, UNREADABLE_KIND, unreadableReason } from './messages.ts';
import {
  decideAbsence,
  decideClientUpdate,
  decideDischarge,
  decideStay,
  endFields,
  type LiviaStay,
  sequenceStep,
} from './rules.ts';
import { liveAbsences, liveCursors, liveMessages, liveStays, type MessageStatus } from './schema.ts';
import { liviaIdOf, saveFromArcad } from './store.ts';

/** Every replica shares this durable: JetStream hands each message to one of them. */
export const INBOUND_DURABLE = 'arcad-sync-live-inbound';
export const inboundSubject = (tenant: string, kind: string) =>
  `arcad.${arcadTenantToken(tenant)}.${kind}.received`;

const kindOfReceived = (event: unknown) => {
  const readable = ArcadEvent.safeParse(event);
  return readable.success ? kindOf(readable.data.type) : UNREADABLE_KIND;
};

/** What travels on the bus between the webhook receiver and the consumers. */
const Received = z.object({ tenant: z.string(), event: z.unknown() });

/** Advisory lock space of the per-client locks ('ARCD'). */
const LOCK_SPACE = 1095910212;

interface Outcome {
  status: Exclude<MessageStatus, 'pending' | 'failed'>;
  reason?: string;
  events: OutgoingEvent[];
}

export interface InboundDeps {
  db: Database;
  bus: Bus;
  arcad: LiveArcadApi;
  logger: Logger;
  /** Names this replica in the log of messages. */
  instance: string;
  /** After events were committed to the outbox. */
  onEventsQueued: () => void;
  /** Today's date (YYYY-MM-DD), which separates planned ends from closures. */
  today?: () => string;
  concurrency?: number;
  /**
   * Failed messages are retried on their own after `baseMs`, then twice as long each time, up to
   * `maxAttempts` attempts; then they wait for the admin's retry. 0 turns it off.
   */
  autoRetry?: { baseMs: number; maxAttempts: number };
}

/**
 * ARCAD360 -> LIVIA. Received messages are stored once (by message id), then each client's
 * messages are applied in ARCAD's `sequence` order under a per-client advisory lock, so that two
 * replicas never apply the same client's messages at the same time nor out of order. Outcomes
 * (applied / ignored / refused / failed) are kept for the console; a failed message holds the
 * client's later messages back until it is retried.
 */
export function createInbound(deps: InboundDeps) {
  const { db, bus, arcad, logger } = deps;
  // The establishments' calendar day: a discharge dated today closes the stay, even at 00:30 in Paris.
  const parisDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' });
  const today = deps.today ?? (() => parisDay.format(new Date()));
  let subscription: { stop(): Promise<void> } | undefined;
  let deadLetters: { stop(): Promise<void> } | undefined;
  let stopRetries: (() => Promise<void>) | undefined;

  /**
   * Retries, on any replica, the failed messages whose backoff is over (the per-client lock keeps
   * two replicas from applying one twice), then the clients' messages waiting behind them.
   */
  async function retryDue(auto: { baseMs: number; maxAttempts: number }) {
    const due = await db
      .update(liveMessages)
      .set({ status: 'pending' })
      .where(
        and(
          eq(liveMessages.status, 'failed'),
          eq(liveMessages.retryable, true),
          sql`${liveMessages.attempts} < ${auto.maxAttempts}`,
          sql`${liveMessages.processedAt} < now() - make_interval(secs => ${auto.baseMs / 1000}::float8 * power(2, ${liveMessages.attempts} - 1))`,
        ) as SQL,
      )
      .returning({ tenant: liveMessages.tenant, clientId: liveMessages.clientId });
    const clients = new Map(due.map((d) => [`${d.tenant}/${d.clientId}`, d]));
    for (const d of clients.values()) await drain(d.tenant, d.clientId);
  }

  async function staysOf(
    tx: Database,
    tenant: string,
    residentId: string,
    activityId: string,
  ): Promise<LiviaStay[]> {
    return tx
      .select({
        liviaId: liveStays.liviaId,
        arcadStayId: liveStays.arcadStayId,
        startDate: liveStays.startDate,
        plannedEndDate: liveStays.plannedEndDate,
        endDate: liveStays.endDate,
      })
      .from(liveStays)
      .where(
        and(
          eq(liveStays.tenant, tenant),
          eq(liveStays.residentId, residentId),
          eq(liveStays.activityId, activityId),
        ),
      )
      .orderBy(desc(liveStays.startDate));
  }

  async function saveResident(tx: Database, tenant: string, resident: LiveResident, clientId: string) {
    const hash = await payloadHash(clientPayloadOf(resident));
    await saveFromArcad(tx, tenant, {
      entity: 'resident',
      liviaId: resident.id,
      arcadId: clientId,
      data: resident,
      hash,
    });
  }

  /** The stay as LIVIA gets it, from the row a write returned. */
  function stayOf(rows: (typeof liveStays.$inferSelect)[], liviaId: string) {
    const row = rows[0];
    if (!row) throw new Error(`stay ${liviaId} vanished while being applied`);
    const { tenant: _t, updatedAt: _u, ...stay } = row;
    return stay;
  }

  /** One message's effect on LIVIA's state, and the events that tell LIVIA. Runs under the client's lock. */
  async function apply(tx: Database, tenant: string, event: ArcadEvent): Promise<Outcome> {
    const events: OutgoingEvent[] = [];
    const tell = (entity: string, change: string, payload: object) =>
      events.push({
        subject: ARCAD_SUBJECTS.arcadChange(tenant, entity, change),
        msgId: `${tenant}:${event.id}:${events.length}`,
        payload: { tenant, arcadMessageId: event.id, ...payload },
      });
    const ignored = (reason: string): Outcome => ({ status: 'ignored', reason, events: [] });
    const residentId = await liviaIdOf(tx, tenant, 'resident', event.clientId);

    if (event.type === 'client.updated') {
      const decision = decideClientUpdate(residentId);
      if (decision.action === 'ignore') return ignored(decision.reason);
      const client = await arcad.client(await arcadTenantOf(tx, tenant), event.clientId);
      const [current] = await tx
        .select({ data: liviaEntities.data })
        .from(liviaEntities)
        .where(
          and(
            eq(liviaEntities.tenant, tenant),
            eq(liviaEntities.entity, 'resident'),
            eq(liviaEntities.liviaId, decision.residentId),
          ),
        );
      const built = residentFromClient(decision.residentId, client);
      if ('problem' in built) return { status: 'refused', reason: built.problem, events: [] };
      const previous = (current?.data ?? {}) as Partial<LiveResident>;
      const resident = {
        ...built.resident,
        deceased: previous.deceased ?? false,
        ...(previous.deathDate ? { deathDate: previous.deathDate } : {}),
      };
      await saveResident(tx, tenant, resident, event.clientId);
      tell('residents', 'updated', { resident, arcadClientId: event.clientId });
      return { status: 'applied', events };
    }

    const activityId = await liviaIdOf(tx, tenant, 'activity', event.data.serviceId);

    if (event.type === 'stay.created' || event.type === 'stay.updated') {
      const stays = residentId && activityId ? await staysOf(tx, tenant, residentId, activityId) : [];
      const decision = decideStay({
        serviceId: event.data.serviceId,
        activityId,
        residentId,
        stays,
        arcadStay: event.data,
      });
      if (decision.action === 'ignore') return ignored(decision.reason);
      let resident = residentId;
      if (decision.action === 'create-resident-and-stay') {
        const client = await arcad.client(await arcadTenantOf(tx, tenant), event.clientId);
        const built = residentFromClient(`arcad-${event.clientId}`, client);
        if ('problem' in built) return { status: 'refused', reason: built.problem, events: [] };
        await saveResident(tx, tenant, built.resident, event.clientId);
        tell('residents', 'created', { resident: built.resident, arcadClientId: event.clientId });
        resident = built.resident.id;
      }
      const fields = {
        arcadStayId: event.data.stayId,
        startDate: event.data.startDate,
        ...endFields(event.data.endDate, today()),
      };
      if (decision.action === 'update-stay') {
        if (decision.reopen) {
          const reopened = await tx
            .update(liveStays)
            .set({ endDate: null, updatedAt: sql`now()` })
            .where(and(eq(liveStays.tenant, tenant), eq(liveStays.liviaId, decision.liviaId)))
            .returning();
          tell('stays', 'reopened', { stay: stayOf(reopened, decision.liviaId) });
        }
        const updated = await tx
          .update(liveStays)
          .set({ ...fields, updatedAt: sql`now()` })
          .where(and(eq(liveStays.tenant, tenant), eq(liveStays.liviaId, decision.liviaId)))
          .returning();
        tell('stays', 'updated', { stay: stayOf(updated, decision.liviaId) });
      } else {
        const liviaId = `arcad-${event.data.stayId}`;
        const created = await tx
          .insert(liveStays)
          .values({
            tenant,
            liviaId,
            residentId: resident as string,
            activityId: activityId as string,
            ...fields,
          })
          .onConflictDoUpdate({
            target: [liveStays.tenant, liveStays.liviaId],
            set: { ...fields, updatedAt: sql`now()` },
          })
          .returning();
        tell('stays', 'created', { stay: stayOf(created, liviaId) });
      }
      return { status: 'applied', events };
    }

    if (event.type === 'stay.discharged') {
      const stays = residentId && activityId ? await staysOf(tx, tenant, residentId, activityId) : [];
      const decision = decideDischarge({
        serviceId: event.data.serviceId,
        activityId,
        residentId,
        stays,
        discharge: event.data,
        today: today(),
      });
      if (decision.action === 'ignore') return ignored(decision.reason);
      const set =
        decision.action === 'plan-end'
          ? { plannedEndDate: decision.endDate }
          : { endDate: decision.endDate, plannedEndDate: null };
      const ended = await tx
        .update(liveStays)
        .set({ ...set, arcadStayId: event.data.stayId, updatedAt: sql`now()` })
        .where(and(eq(liveStays.tenant, tenant), eq(liveStays.liviaId, decision.liviaId)))
        .returning();
      tell('stays', decision.action === 'plan-end' ? 'end_planned' : 'closed', {
        stay: stayOf(ended, decision.liviaId),
      });
      return { status: 'applied', events };
    }

    // Absences (the only kind left).
    const data = (event as Extract<ArcadEvent, { type: `absence.${string}` }>).data;
    const change = event.type.slice('absence.'.length) as 'created' | 'updated' | 'deleted';
    const [existing] = await tx
      .select({ liviaId: liveAbsences.liviaId })
      .from(liveAbsences)
      .where(and(eq(liveAbsences.tenant, tenant), eq(liveAbsences.arcadAbsenceId, data.absenceId)));
    const decision = decideAbsence({
      change,
      type: data.type,
      serviceId: data.serviceId,
      activityId,
      residentId,
      existingLiviaId: existing?.liviaId ?? null,
    });
    if (decision.action === 'ignore') return ignored(decision.reason);
    const absence = {
      liviaId: decision.action === 'create' ? `arcad-${data.absenceId}` : decision.liviaId,
      residentId: residentId as string,
      activityId: activityId as string,
      arcadAbsenceId: data.absenceId,
      type: data.type,
      startDate: data.startDate,
      endDate: data.endDate,
    };
    if (decision.action === 'delete') {
      await tx
        .delete(liveAbsences)
        .where(and(eq(liveAbsences.tenant, tenant), eq(liveAbsences.liviaId, decision.liviaId)));
      tell('absences', 'deleted', { absence });
    } else {
      await tx
        .insert(liveAbsences)
        .values({ tenant, ...absence })
        .onConflictDoUpdate({
          target: [liveAbsences.tenant, liveAbsences.liviaId],
          set: {
            type: absence.type,
            startDate: absence.startDate,
            endDate: absence.endDate,
            updatedAt: sql`now()`,
          },
        });
      tell('absences', decision.action === 'create' ? 'created' : 'updated', { absence });
    }
    return { status: 'applied', events };
  }

  const arcadTenants = new Map<string, string>();
  /** Read through the caller's transaction: with PGlite's single connection, `db` would wait for it. */
  async function arcadTenantOf(tx: Database, tenant: string): Promise<string> {
    const known = arcadTenants.get(tenant);
    if (known) return known;
    const [row] = await tx
      .select({ arcadTenant: tenants.arcadTenant })
      .from(tenants)
      .where(eq(tenants.tenant, tenant));
    if (!row) throw new Error(`tenant ${tenant} is not activated`);
    arcadTenants.set(tenant, row.arcadTenant);
    return row.arcadTenant;
  }

  /** Applies a client's pending messages in sequence order, as far as there is no gap or failure. */
  async function drain(tenant: string, clientId: string): Promise<void> {
    // Try, never wait: a waiting transaction would hold a pooled connection doing nothing. The
    // holder re-checks after releasing the lock (below), so a message stored meanwhile is not left behind.
    while (await drainOnce(tenant, clientId)) {
      if (!(await nextIsPending(tenant, clientId))) break;
    }
  }

  /** Whether the client's next expected message is stored and pending. */
  async function nextIsPending(tenant: string, clientId: string) {
    const [row] = await db
      .select({ id: liveMessages.id })
      .from(liveMessages)
      .leftJoin(
        liveCursors,
        and(eq(liveCursors.tenant, liveMessages.tenant), eq(liveCursors.clientId, liveMessages.clientId)),
      )
      .where(
        and(
          eq(liveMessages.tenant, tenant),
          eq(liveMessages.clientId, clientId),
          eq(liveMessages.status, 'pending'),
          sql`${liveMessages.sequence} <= coalesce(${liveCursors.lastSequence}, 0) + 1`,
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  /** One pass under the client's lock; false when another transaction holds it. */
  async function drainOnce(tenant: string, clientId: string): Promise<boolean> {
    const queued = await db.transaction(async (tx) => {
      const locked = await tx.execute(
        sql`select pg_try_advisory_xact_lock(${LOCK_SPACE}::int, hashtext(${`${tenant}/${clientId}`})) as locked`,
      );
      const rows = (Array.isArray(locked) ? locked : (locked as { rows: unknown[] }).rows) as {
        locked: boolean;
      }[];
      if (!rows[0]?.locked) return null;
      const [cursor] = await tx
        .select({ last: liveCursors.lastSequence })
        .from(liveCursors)
        .where(and(eq(liveCursors.tenant, tenant), eq(liveCursors.clientId, clientId)));
      let last = cursor?.last ?? 0;
      const start = last;
      const pending = await tx
        .select()
        .from(liveMessages)
        .where(
          and(
            eq(liveMessages.tenant, tenant),
            eq(liveMessages.clientId, clientId),
            eq(liveMessages.status, 'pending'),
          ),
        )
        .orderBy(asc(liveMessages.sequence), asc(liveMessages.id));
      let queuedEvents = 0;
      for (const message of pending) {
        const step = sequenceStep(last, message.sequence);
        if (step === 'wait') break;
        const done = {
          attempts: sql`${liveMessages.attempts} + 1`,
          processedBy: deps.instance,
          processedAt: new Date(),
        };
        const where = eq(liveMessages.id, message.id);
        if (step === 'replayed') {
          await tx
            .update(liveMessages)
            .set({
              ...done,
              status: 'ignored',
              reason: `sequence ${message.sequence} of this client was already applied`,
            })
            .where(where);
          continue;
        }
        // Unreadable (unknown type, bad field): refused in its turn, so the client's next ones apply.
        const readable = ArcadEvent.safeParse(message.payload);
        if (!readable.success) {
          await tx
            .update(liveMessages)
            .set({ ...done, status: 'refused', reason: unreadableReason(readable.error).slice(0, 2000) })
            .where(where);
          last = message.sequence;
          continue;
        }
        try {
          const outcome = await tx.transaction(async (step) => {
            const result = await apply(step, tenant, readable.data);
            await enqueueEvents(step, outbox, result.events);
            return result;
          });
          await tx
            .update(liveMessages)
            .set({
              ...done,
              status: outcome.status,
              reason: outcome.reason ?? null,
              retryable: null,
              changes: outcome.events.map((e) => e.subject.split('.').slice(2).join('.')),
            })
            .where(where);
          queuedEvents += outcome.events.length;
          last = message.sequence;
        } catch (error) {
          const failure = describeArcadFailure(error);
          logger.warn(
            { tenant, messageId: message.messageId, err: failure.reason },
            'ARCAD360 message failed, parked',
          );
          await tx
            .update(liveMessages)
            .set({
              ...done,
              status: 'failed',
              reason: failure.reason.slice(0, 2000),
              retryable: failure.retryable,
            })
            .where(where);
          break;
        }
      }
      if (last !== start)
        await tx
          .insert(liveCursors)
          .values({ tenant, clientId, lastSequence: last })
          .onConflictDoUpdate({
            target: [liveCursors.tenant, liveCursors.clientId],
            set: { lastSequence: last },
          });
      return queuedEvents;
    });
    if (queued === null) return false;
    if (queued > 0) deps.onEventsQueued();
    return true;
  }

  async function handle(message: BusMessage) {
    const received = Received.parse(message.json());
    const readable = ArcadEvent.safeParse(received.event);
    // An unreadable body is kept as received, to be refused with its reason in its turn.
    const event = readable.success ? readable.data : ArcadEnvelope.parse(received.event);
    await db
      .insert(liveMessages)
      .values({
        tenant: received.tenant,
        messageId: event.id,
        clientId: event.clientId,
        sequence: event.sequence,
        kind: kindOfReceived(received.event),
        payload: readable.success ? readable.data : (received.event as object),
        status: 'pending',
      })
      .onConflictDoNothing();
    // Drained even when it was a duplicate: an earlier delivery may have stopped before applying.
    await drain(received.tenant, event.clientId);
  }

  return {
    /**
     * Hands a verified ARCAD message to the bus; JetStream drops a second copy of the same id.
     * A message only its envelope of which is readable travels too, to be refused in its turn.
     */
    async receive(tenant: string, event: ArcadEvent | ArcadEnvelope) {
      return bus.publish(
        inboundSubject(tenant, kindOfReceived(event)),
        { tenant, event },
        { msgId: `arcad-in:${tenant}:${event.id}` },
      );
    },
    async start() {
      const auto = deps.autoRetry ?? { baseMs: 30_000, maxAttempts: 5 };
      if (auto.baseMs > 0)
        stopRetries = runPeriodically({
          everyMs: Math.max(50, Math.floor(auto.baseMs / 2)),
          job: () => retryDue(auto),
          onError: (error) => logger.warn({ err: error }, 'automatic retry of ARCAD messages failed'),
        });
      subscription = await bus.subscribe({
        subject: 'arcad.*.*.received',
        durable: INBOUND_DURABLE,
        handler: handle,
        concurrency: deps.concurrency ?? 16,
        backoffMs: [200, 1_000, 5_000],
        maxDeliver: 10,
      });
      // A message dead-lettered after 10 failed deliveries (database down for a while) is taken
      // back, with a longer patience: nothing ARCAD sent is lost.
      deadLetters = await subscribeDeadLetters(bus, {
        of: INBOUND_DURABLE,
        durable: `${INBOUND_DURABLE}-dead-letters`,
        handler: handle,
        backoffMs: [5_000, 30_000, 120_000],
      });
    },
    async stop() {
      await stopRetries?.();
      await subscription?.stop();
      await deadLetters?.stop();
    },

    /** Sends failed messages (one, or all of the tenant) back to pending and applies them again, in order. */
    async retry(tenant: string, ids: number[] | 'all') {
      const rows = await db
        .update(liveMessages)
        .set({ status: 'pending', reason: null, retryable: null })
        .where(
          and(
            eq(liveMessages.tenant, tenant),
            eq(liveMessages.status, 'failed'),
            ids === 'all' ? undefined : inArray(liveMessages.id, ids.length ? ids : [-1]),
          ) as SQL,
        )
        .returning({ clientId: liveMessages.clientId });
      for (const clientId of new Set(rows.map((r) => r.clientId))) await drain(tenant, clientId);
      return rows.length;
    },

    /** The log of received messages with their outcome, newest first, and counts per outcome. */
    async log(tenant: string, filter: { status?: MessageStatus | undefined; limit?: number } = {}) {
      const where = and(
        eq(liveMessages.tenant, tenant),
        filter.status ? eq(liveMessages.status, filter.status) : undefined,
      ) as SQL;
      const items = await db
        .select()
        .from(liveMessages)
        .where(where)
        .orderBy(desc(liveMessages.id))
        .limit(filter.limit ?? 200);
      const byStatus = await db
        .select({ status: liveMessages.status, n: count() })
        .from(liveMessages)
        .where(eq(liveMessages.tenant, tenant))
        .groupBy(liveMessages.status);
      const ignoredReasons = await db
        .select({ reason: liveMessages.reason, n: count() })
        .from(liveMessages)
        .where(and(eq(liveMessages.tenant, tenant), eq(liveMessages.status, 'ignored')) as SQL)
        .groupBy(liveMessages.reason)
        .orderBy(desc(count()));
      const cursors = await db.select().from(liveCursors).where(eq(liveCursors.tenant, tenant));
      const lastOf = new Map(cursors.map((c) => [c.clientId, c.lastSequence]));
      return {
        counts: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])) as Partial<
          Record<MessageStatus, number>
        >,
        ignoredReasons: ignoredReasons.map((r) => ({ reason: r.reason ?? '', count: Number(r.n) })),
        items: items.map((m) => ({
          id: m.id,
          messageId: m.messageId,
          type: String((m.payload as { type?: unknown }).type ?? '?'),
          clientId: m.clientId,
          sequence: m.sequence,
          status: m.status,
          reason:
            m.status === 'pending'
              ? `waiting for message ${(lastOf.get(m.clientId) ?? 0) + 1} of client ${m.clientId}`
              : m.reason,
          retryable: m.status === 'failed',
          attempts: m.attempts,
          changes: m.changes,
          processedBy: m.processedBy,
          receivedAt: m.receivedAt.toISOString(),
          processedAt: m.processedAt?.toISOString() ?? null,
        })),
      };
    },
  };
}

export type Inbound = ReturnType<typeof createInbound>;
