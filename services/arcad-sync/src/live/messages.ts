import { fieldErrorsOf, z } from '@hip/shared';

/**
 * What ARCAD360 sends us (webhook body, assumed contract in the README). Events are thin: they
 * name the client and the stay/absence; the client's identity is read from ARCAD when needed.
 * `sequence` counts the events of one client from 1 without gaps (per webhook subscription):
 * it is what lets us apply a resident's messages in order whatever order they arrive in.
 */
const day = z.iso.date();
const arcadId = z.string().min(1).max(64);

const StayData = z.object({
  stayId: arcadId,
  serviceId: arcadId,
  startDate: day,
  endDate: day.nullable().default(null),
});
const DischargeData = z.object({ stayId: arcadId, serviceId: arcadId, endDate: day });
const AbsenceData = z.object({
  absenceId: arcadId,
  serviceId: arcadId,
  type: z.string().min(1).max(30),
  startDate: day,
  endDate: day.nullable().default(null),
});

const base = {
  id: z.string().min(1).max(100),
  tenant: z.string().min(1).max(60),
  clientId: arcadId,
  sequence: z.number().int().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
};

export const ArcadEvent = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.enum(['stay.created', 'stay.updated']), data: StayData }),
  z.object({ ...base, type: z.literal('stay.discharged'), data: DischargeData }),
  z.object({
    ...base,
    type: z.enum(['absence.created', 'absence.updated', 'absence.deleted']),
    data: AbsenceData,
  }),
  z.object({ ...base, type: z.literal('client.updated'), data: z.object({}).loose().default({}) }),
]);
export type ArcadEvent = z.infer<typeof ArcadEvent>;

/**
 * What every ARCAD360 message carries whatever its type: enough to place it in its client's
 * sequence. A signed message with this envelope but a body we cannot read is stored as refused:
 * rejecting it would leave a gap that holds the client's later messages back forever.
 */
export const ArcadEnvelope = z.object({
  id: base.id,
  tenant: base.tenant,
  clientId: base.clientId,
  sequence: base.sequence,
});
export type ArcadEnvelope = z.infer<typeof ArcadEnvelope>;

/** The kind token of messages whose body we cannot read (refused in their turn). */
export const UNREADABLE_KIND = 'unreadable';

/** Why a message cannot be read, naming each bad field. */
export const unreadableReason = (error: z.ZodError): string =>
  `not a message we can read: ${fieldErrorsOf(error)
    .map((e) => `${e.path}: ${e.message}`)
    .join('; ')}`;
export type ArcadEventType = ArcadEvent['type'];

/** The kind of message, as the `<kind>` token of `arcad.<tenant>.<kind>.received`. */
export const kindOf = (type: ArcadEventType) =>
  type === 'stay.discharged'
    ? 'discharges'
    : type.startsWith('stay.')
      ? 'stays'
      : type.startsWith('absence.')
        ? 'absences'
        : 'clients';

/** An ARCAD360 client as `GET clients/{id}` returns it. */
export const ArcadClient = z
  .object({
    id: z.string(),
    externalId: z.string().nullish(),
    lastName: z.string(),
    firstName: z.string(),
    birthDate: z.string(),
    sex: z.enum(['M', 'F', 'U']).catch('U'),
    postcode: z.string().default(''),
    city: z.string().default(''),
    ins: z.unknown().optional(),
  })
  .loose();
export type ArcadClient = z.infer<typeof ArcadClient>;

export const ArcadUser = z
  .object({
    id: z.string(),
    externalId: z.string().nullish(),
    login: z.string(),
    lastName: z.string(),
    firstName: z.string(),
    email: z.string().nullish(),
    postcode: z.string().default(''),
    city: z.string().default(''),
  })
  .loose();
export type ArcadUser = z.infer<typeof ArcadUser>;
