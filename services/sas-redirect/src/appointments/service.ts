import {
  type Bus,
  type BusMessage,
  type Database,
  DEAD_LETTER_HEADERS,
  enqueueEvents,
  fieldErrorsOf,
  type Logger,
  type OutboxRelay,
  type Subscription,
  subscribeDeadLetters,
} from '@hip/shared';
import {
  HubInboundSasRdvSchema,
  SAS_APPOINTMENTS_CHANGED,
  type SasAppointment,
  type SasAppointmentChanged,
} from '@hip/shared/schemas';
import { and, asc, desc, eq, isNull, type SQL } from 'drizzle-orm';
import { appointmentHistory, appointments, outbox, parkedMessages } from '../db/schema.ts';
import { appointmentOf, decideAppointment, sentAtOf } from '../domain/appointments.ts';

export const INBOUND_SUBJECT = 'hub.inbound.RS-SAS-RDV';
export const DURABLE = 'sas-redirect-appointments';

/** A message that cannot be applied as it is: parked at once, retrying would not help. */
export class UnusableMessageError extends Error {
  override name = 'UnusableMessageError';
}

/**
 * Appointment follow-up (P2): applies RS-SAS-RDV messages from hub-bridge to the per-LRM state,
 * keeps the history, and announces each change on `sas.appointments.changed` through the outbox.
 */
export function createAppointmentService(deps: {
  db: Database;
  bus: Bus;
  relay: OutboxRelay;
  logger: Logger;
  allowedSenders: ReadonlySet<string>;
}) {
  const { db, bus, relay, logger } = deps;

  async function apply(payload: unknown): Promise<'applied' | 'duplicate' | 'stale'> {
    const parsed = HubInboundSasRdvSchema.safeParse(payload);
    if (!parsed.success) {
      const errors = fieldErrorsOf(parsed.error);
      throw new UnusableMessageError(
        `not an RS-SAS-RDV message: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      );
    }
    const message = parsed.data;
    if (!deps.allowedSenders.has(message.senderId)) {
      throw new UnusableMessageError(
        `sender "${message.senderId}" is not the SAS platform (${[...deps.allowedSenders].join(', ')})`,
      );
    }
    const appointment: SasAppointment = appointmentOf(message.content);
    const lrm = message.recipientId;
    const sentAt = sentAtOf(message);
    return db.transaction(async (tx) => {
      const [seen] = await tx
        .select({ id: appointmentHistory.id })
        .from(appointmentHistory)
        .where(
          and(
            eq(appointmentHistory.lrm, lrm),
            eq(appointmentHistory.distributionId, message.distributionId),
            eq(appointmentHistory.appointmentId, appointment.appointmentId),
          ) as SQL,
        );
      if (seen) return 'duplicate';
      const [current] = await tx
        .select()
        .from(appointments)
        .where(
          and(eq(appointments.lrm, lrm), eq(appointments.appointmentId, appointment.appointmentId)) as SQL,
        )
        .for('update');
      const decision = decideAppointment(
        current
          ? {
              appointment: current.state as SasAppointment,
              version: current.version,
              ...(current.sentAt ? { sentAt: current.sentAt } : {}),
            }
          : undefined,
        appointment,
        sentAt,
      );
      const seenMessage = {
        lrm,
        appointmentId: appointment.appointmentId,
        method: appointment.method,
        status: appointment.status,
        state: appointment as object,
        distributionId: message.distributionId,
        sentAt,
      };
      if (decision.kind === 'ignore') {
        // Kept in the history (and so recognised if delivered again), but the state stays.
        await tx.insert(appointmentHistory).values({ ...seenMessage, applied: decision.reason });
        logger.info(
          { lrm, appointmentId: appointment.appointmentId, detail: decision.detail },
          'stale appointment message ignored',
        );
        return 'stale';
      }
      const row = {
        lrm,
        appointmentId: appointment.appointmentId,
        status: appointment.status,
        start: appointment.start,
        state: appointment as object,
        version: decision.next.version,
        sentAt,
        updatedAt: new Date(),
      };
      if (current) {
        await tx
          .update(appointments)
          .set(row)
          .where(
            and(eq(appointments.lrm, lrm), eq(appointments.appointmentId, appointment.appointmentId)) as SQL,
          );
      } else await tx.insert(appointments).values(row);
      await tx.insert(appointmentHistory).values({ ...seenMessage, applied: decision.change });
      const event: SasAppointmentChanged = {
        lrm,
        appointmentId: appointment.appointmentId,
        change: decision.change,
        version: decision.next.version,
        ...(decision.previousStatus ? { previousStatus: decision.previousStatus } : {}),
        appointment,
        distributionId: message.distributionId,
      };
      await enqueueEvents(tx, outbox, [
        {
          subject: SAS_APPOINTMENTS_CHANGED,
          msgId: `${lrm}:${appointment.appointmentId}:${decision.next.version}`,
          payload: event,
        },
      ]);
      return 'applied';
    });
  }

  async function park(subject: string, payload: string, headers: Record<string, string>, reason: string) {
    await db.insert(parkedMessages).values({ subject, payload, headers, reason });
    logger.warn({ subject, reason }, 'appointment message parked');
  }

  async function handle(message: BusMessage) {
    let payload: unknown;
    try {
      payload = message.json();
    } catch {
      await park(message.subject, message.text(), message.headers, 'body is not JSON');
      return;
    }
    try {
      await apply(payload);
      relay.kick();
    } catch (error) {
      if (error instanceof UnusableMessageError) {
        await park(message.subject, message.text(), message.headers, error.message);
        return;
      }
      throw error;
    }
  }

  return {
    apply,
    async start(): Promise<Subscription[]> {
      return [
        await bus.subscribe({ subject: INBOUND_SUBJECT, durable: DURABLE, handler: handle, maxDeliver: 5 }),
        // Messages that failed every delivery (e.g. database down) are kept with the bus's reason.
        await subscribeDeadLetters(bus, {
          of: DURABLE,
          durable: `${DURABLE}-dlq`,
          handler: (m) =>
            park(
              m.headers[DEAD_LETTER_HEADERS.subject] ?? m.subject,
              m.text(),
              m.headers,
              m.headers[DEAD_LETTER_HEADERS.error] ?? 'dead letter',
            ),
        }),
      ];
    },

    async list(filter: { lrm?: string; status?: string; limit: number }) {
      const where = [
        filter.lrm ? eq(appointments.lrm, filter.lrm) : undefined,
        filter.status ? eq(appointments.status, filter.status) : undefined,
      ].filter(Boolean) as SQL[];
      return db
        .select()
        .from(appointments)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(appointments.updatedAt))
        .limit(filter.limit);
    },

    async history(lrm: string, appointmentId: string) {
      return db
        .select()
        .from(appointmentHistory)
        .where(
          and(eq(appointmentHistory.lrm, lrm), eq(appointmentHistory.appointmentId, appointmentId)) as SQL,
        )
        .orderBy(asc(appointmentHistory.id));
    },

    async parked(includeResolved = false) {
      return db
        .select()
        .from(parkedMessages)
        .where(includeResolved ? undefined : (isNull(parkedMessages.resolvedAt) as SQL))
        .orderBy(desc(parkedMessages.id))
        .limit(200);
    },

    /** Applies a parked message again (e.g. after the sender or the data was fixed). */
    async retry(
      id: number,
    ): Promise<{ outcome: 'applied' | 'duplicate' | 'stale' } | { error: string } | undefined> {
      const [row] = await db.select().from(parkedMessages).where(eq(parkedMessages.id, id));
      if (!row) return undefined;
      await db.update(parkedMessages).set({ retriedAt: new Date() }).where(eq(parkedMessages.id, id));
      try {
        const outcome = await apply(JSON.parse(row.payload));
        await db.update(parkedMessages).set({ resolvedAt: new Date() }).where(eq(parkedMessages.id, id));
        relay.kick();
        return { outcome };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        await db.update(parkedMessages).set({ reason }).where(eq(parkedMessages.id, id));
        return { error: reason };
      }
    },
  };
}

export type AppointmentService = ReturnType<typeof createAppointmentService>;
