import { z } from '@hip/shared';
import { LiviaFamilyContact, LiviaIntervenant, LiviaResident, LiviaUser } from '../domain/liviaEntities.ts';
import { arcadClientOf, DEFAULT_CITY, DEFAULT_POSTCODE } from '../domain/payloads.ts';
import type { ArcadClient, ArcadUser } from './messages.ts';

/** A LIVIA resident as the live flows carry it: the batch fields, INS included. */
export const LiveResident = LiviaResident;
export type LiveResident = z.infer<typeof LiveResident>;

/** A LIVIA user of a live event: the password chosen at creation is ARCAD's temporary password. */
export const LiveUser = LiviaUser.extend({ password: z.string().min(8).max(100).optional() });
export type LiveUser = z.infer<typeof LiveUser>;

const LiveStay = z.object({
  id: z.string().min(1).max(64),
  residentId: z.string().min(1).max(64),
  activityId: z.string().min(1).max(64),
  startDate: z.iso.date(),
  plannedEndDate: z.iso.date().nullish(),
  endDate: z.iso.date().nullish(),
});
export type LiveStay = z.infer<typeof LiveStay>;

/** LIVIA's live events, by the `<entity>` token of `livia.<tenant>.<entity>.upserted|deleted`. */
/** When LIVIA changed the entity: an event older than the one already processed is not sent. */
const versioned = { updatedAt: z.iso.datetime({ offset: true }).optional() };

export const liveSchemas = {
  residents: LiveResident.extend(versioned),
  users: LiveUser.extend(versioned),
  'family-contacts': LiviaFamilyContact.extend(versioned),
  intervenants: LiviaIntervenant.extend(versioned),
  stays: LiveStay,
} as const;
export type LiveEntity = keyof typeof liveSchemas;
export const liveEntities = Object.keys(liveSchemas) as LiveEntity[];

/** The ARCAD client payload of a resident, INS included: sent, and hashed to skip echoes. */
export const clientPayloadOf = (r: LiveResident) => ({ ...arcadClientOf(r), ins: r.ins ?? null });

/** The user fields an update may change (never the password; the e-mail only once ARCAD allows it). */
export const userUpdateOf = (u: LiveUser) => ({
  lastName: u.lastName,
  firstName: u.firstName,
  postcode: u.postcode.trim() || DEFAULT_POSTCODE,
  city: u.city.trim() || DEFAULT_CITY,
});

/**
 * A LIVIA resident built from an ARCAD client (unknown resident of a stay, "create from ARCAD").
 * Refused with the reason when ARCAD's identity cannot be a LIVIA resident (INS included).
 */
export function residentFromClient(
  liviaId: string,
  client: ArcadClient,
): { resident: LiveResident } | { problem: string } {
  const parsed = LiveResident.safeParse({
    id: liviaId,
    lastName: client.lastName,
    firstName: client.firstName,
    birthDate: client.birthDate,
    sex: client.sex,
    postcode: client.postcode === DEFAULT_POSTCODE ? '' : client.postcode,
    city: client.city === DEFAULT_CITY ? '' : client.city,
    ...(client.ins ? { ins: client.ins } : {}),
  });
  if (parsed.success) return { resident: parsed.data };
  return {
    problem: `ARCAD client ${client.id} refused: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'client'}: ${i.message}`).join('; ')}`,
  };
}

export function userFromArcad(liviaId: string, user: ArcadUser): { user: LiveUser } | { problem: string } {
  const parsed = LiveUser.safeParse({
    id: liviaId,
    login: user.login,
    lastName: user.lastName,
    firstName: user.firstName,
    ...(user.email ? { email: user.email } : {}),
    postcode: user.postcode === DEFAULT_POSTCODE ? '' : user.postcode,
    city: user.city === DEFAULT_CITY ? '' : user.city,
  });
  if (parsed.success) return { user: parsed.data };
  return {
    problem: `ARCAD user ${user.id} refused: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  };
}
