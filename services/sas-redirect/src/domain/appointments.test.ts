import { readFileSync } from 'node:fs';
import { SasAppointmentSchema } from '@hip/shared/schemas';
import { describe, expect, it } from 'vitest';
import { appointmentOf, decideAppointment, sentAtOf } from './appointments.ts';

const example = (name: string) =>
  SasAppointmentSchema.parse(
    JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8'))
      .appointment,
  );

const T0 = new Date('2025-06-17T10:15:00+02:00');
const T1 = new Date('2025-06-17T10:20:00+02:00');

describe('RS-SAS-RDV rules', () => {
  it('creates an appointment on CreateAppointment', () => {
    const create = example('RS-SAS-RDV_appointment_SOS.01');
    expect(decideAppointment(undefined, create, T0)).toMatchObject({
      kind: 'apply',
      change: 'created',
      next: { version: 1 },
    });
  });

  it('treats an update of an unknown appointment id as a creation', () => {
    const update = example('RS-SAS-RDV_appointment_PS.01-MAJ');
    expect(decideAppointment(undefined, update, T0)).toMatchObject({
      change: 'created-from-update',
      next: { version: 1 },
    });
  });

  it('treats a cancellation as an update with status cancelled, replacing the whole state', () => {
    const created = example('RS-SAS-RDV_appointment_PS.02');
    const cancelled = { ...created, method: 'UpdateAppointment' as const, status: 'cancelled' as const };
    delete (cancelled as { practitioner?: unknown }).practitioner;
    const decision = decideAppointment({ appointment: created, version: 1, sentAt: T0 }, cancelled, T1);
    expect(decision).toMatchObject({
      change: 'updated',
      previousStatus: created.status,
      next: { version: 2 },
    });
    // Full state each time: a field missing from the update is gone, not merged from before.
    expect(decision.kind === 'apply' && decision.next.appointment.practitioner).toBeUndefined();
  });

  it('ignores as stale a message sent before the state we hold (late redelivery, parked retry)', () => {
    const created = example('RS-SAS-RDV_appointment_PS.02');
    const cancelled = { ...created, method: 'UpdateAppointment' as const, status: 'cancelled' as const };
    expect(decideAppointment({ appointment: cancelled, version: 2, sentAt: T1 }, created, T0)).toMatchObject({
      kind: 'ignore',
      reason: 'stale',
    });
    // Same send time: nothing orders them, the later delivery applies.
    expect(decideAppointment({ appointment: cancelled, version: 2, sentAt: T1 }, created, T1)).toMatchObject({
      kind: 'apply',
      next: { version: 3 },
    });
    // A row stored before send times were kept: applied as before.
    expect(decideAppointment({ appointment: cancelled, version: 2 }, created, T0).kind).toBe('apply');
  });

  it("reads the send time from the RC-DE header's sentAt, else the time hub-bridge received it", () => {
    const receivedAt = '2025-06-17T08:30:00Z';
    expect(sentAtOf({ header: { sentAt: '2025-06-17T10:15:00+02:00' }, receivedAt })).toEqual(T0);
    expect(sentAtOf({ header: {}, receivedAt })).toEqual(new Date(receivedAt));
    expect(sentAtOf({ header: { sentAt: 'yesterday' }, receivedAt })).toEqual(new Date(receivedAt));
  });

  it('reads the content wrapped in "appointment" or bare', () => {
    const a = example('RS-SAS-RDV_appointment_SOS.01');
    expect(appointmentOf({ appointment: a })).toBe(a);
    expect(appointmentOf(a)).toBe(a);
  });
});
