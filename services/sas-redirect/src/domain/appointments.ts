import type { SasAppointment, SasAppointmentStatus } from '@hip/shared/schemas';

export interface StoredAppointment {
  appointment: SasAppointment;
  version: number;
  /** When the SAS sent the message that gave this state (absent on rows older than the column). */
  sentAt?: Date;
}

export type AppointmentDecision =
  | {
      kind: 'apply';
      change: 'created' | 'updated' | 'created-from-update';
      next: StoredAppointment;
      previousStatus?: SasAppointmentStatus;
    }
  | { kind: 'ignore'; reason: 'stale'; detail: string };

/**
 * The RS-SAS-RDV rules: each message carries the whole state at that time, so it replaces what
 * we had; a cancellation is just an update with status `cancelled`; an update for an id we never
 * saw is a creation; a creation for an id we already have is applied as an update (a re-sent
 * create must not duplicate the appointment).
 *
 * Since each message replaces the whole state, one sent before the state we hold must not win:
 * the bus redelivers a failed message after the next ones, and a parked message is retried
 * later. Such a message is ignored as stale (same send time still applies: nothing orders them).
 */
export function decideAppointment(
  current: StoredAppointment | undefined,
  message: SasAppointment,
  sentAt: Date,
): AppointmentDecision {
  if (!current) {
    return {
      kind: 'apply',
      change: message.method === 'UpdateAppointment' ? 'created-from-update' : 'created',
      next: { appointment: message, version: 1, sentAt },
    };
  }
  if (current.sentAt && sentAt.getTime() < current.sentAt.getTime()) {
    return {
      kind: 'ignore',
      reason: 'stale',
      detail: `sent at ${sentAt.toISOString()}, before the state we hold (sent at ${current.sentAt.toISOString()})`,
    };
  }
  return {
    kind: 'apply',
    change: 'updated',
    next: { appointment: message, version: current.version + 1, sentAt },
    previousStatus: current.appointment.status,
  };
}

/**
 * When the SAS sent a message: the RC-DE header's `sentAt` (the Hub's `dateTimeSent`), else the
 * time hub-bridge received it.
 */
export function sentAtOf(message: { header: Record<string, unknown>; receivedAt: string }): Date {
  const sent = message.header.sentAt;
  const at = typeof sent === 'string' ? new Date(sent) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : new Date(message.receivedAt);
}

/** The content of a hub message: `{ appointment }` as in the Hub examples, or the bare appointment. */
export function appointmentOf(content: SasAppointment | { appointment: SasAppointment }): SasAppointment {
  return 'appointment' in content ? content.appointment : content;
}
