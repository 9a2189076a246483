import { formatTimestamp } from '@hip/shared';

/**
 * The SAS platform's side of the appointment follow-up: a booking made on the platform becomes an
 * RS-SAS-RDV message for the regulating SAMU, sent through the SAS's own Hub Santé client (a
 * hub-bridge instance), and every later change is sent again with the whole state.
 */
export type AppointmentStatus = 'pending' | 'booked' | 'fulfilled' | 'noshow' | 'cancelled';

/** RS-SAS-RDV `appointment`, spelled as the official schema spells it. */
export interface RdvAppointment {
  appointmentId: string;
  method: 'CreateAppointment' | 'UpdateAppointment';
  created: string;
  start: string;
  end: string;
  status: AppointmentStatus;
  orientationCategory: 'PS';
  practitioner: {
    rppsId: string;
    lastName: string;
    firstName: string;
    specialityCode: string;
    specialityUrl: string;
  };
  regulator: { regulatorName: string; regulatorFirstname: string; regulatorEmail: string };
}

/** The Hub's date-time: seconds and an explicit offset, no milliseconds (Paris time, as the SAS sends it). */
export const hubDateTime = (date: Date) => formatTimestamp(date).replace(' ', 'T').replace(' ', '');

/** A 20-minute consultation with the demo practitioner, at the next full hour plus one. */
export function newDemoAppointment(id: string, now: Date): RdvAppointment {
  const start = new Date(now);
  start.setUTCMinutes(0, 0, 0);
  start.setUTCHours(start.getUTCHours() + 2);
  return {
    appointmentId: id,
    method: 'CreateAppointment',
    created: hubDateTime(now),
    start: hubDateTime(start),
    end: hubDateTime(new Date(start.getTime() + 20 * 60_000)),
    status: 'booked',
    orientationCategory: 'PS',
    practitioner: {
      rppsId: '810005681340',
      lastName: 'MOREL',
      firstName: 'Didier',
      specialityCode: 'SM54',
      specialityUrl:
        'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale',
    },
    regulator: {
      regulatorName: 'RICART',
      regulatorFirstname: 'Pauline',
      regulatorEmail: 'pauline.ricart@samu44.example',
    },
  };
}

/** An update carries the whole state at that time, a cancellation is an update with `cancelled`. */
export const updatedAppointment = (current: RdvAppointment, status: AppointmentStatus): RdvAppointment => ({
  ...current,
  method: 'UpdateAppointment',
  status,
});

/** Where the SAS's Hub client is, and who the regulating SAMU is on the Hub. */
export interface HubLink {
  /** Base URL of the hub-bridge instance acting as the SAS platform's Hub client. */
  bridgeUrl: string;
  /** Hub client id of the SAMU the appointment is for (the message's recipient). */
  samuClientId: string;
}

export type SendOutcome = { ok: true; distributionId: string } | { ok: false; reason: string };

/** Sends one RS-SAS-RDV through the bridge (`POST /messages`); `reference` makes a re-send idempotent. */
export async function sendAppointment(
  link: HubLink,
  appointment: RdvAppointment,
  reference: string,
  fetchImpl: typeof fetch = fetch,
): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await fetchImpl(new URL('/messages', link.bridgeUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        recipient: link.samuClientId,
        type: 'RS-SAS-RDV',
        content: appointment,
        reference,
      }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return {
      ok: false,
      reason: `the Hub client at ${link.bridgeUrl} cannot be reached (${(error as Error).message})`,
    };
  }
  const body = (await res.json().catch(() => ({}))) as {
    distributionId?: string;
    detail?: string;
    errors?: { path: string; message: string }[];
  };
  if (res.status === 202 && body.distributionId) return { ok: true, distributionId: body.distributionId };
  const errors = (body.errors ?? []).map((e) => `${e.path} ${e.message}`).join('; ');
  return {
    ok: false,
    reason: `the Hub client refused the message (HTTP ${res.status}): ${body.detail ?? 'no detail'}${errors ? ` [${errors}]` : ''}`,
  };
}
