// Bus messages of the `sas.*` subjects, and the RS-SAS-RDV content sas-redirect consumes from
// `hub.inbound.RS-SAS-RDV` (shape of services/hub-bridge/hub-sante/schemas/RS-SAS-RDV.schema.json, version 26.07.29).
import { z } from 'zod';
import { HubInboundSchema } from './hub.ts';

const hubDateTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[-+]\d{2}:\d{2}$/,
    'must be a date-time like 2025-06-17T14:00:00+02:00',
  );

export const SasAppointmentStatusSchema = z.enum(['pending', 'booked', 'fulfilled', 'noshow', 'cancelled']);
export type SasAppointmentStatus = z.infer<typeof SasAppointmentStatusSchema>;

/** RS-SAS-RDV `appointment`, spelled as the schema spells it (not as the guide's prose). */
export const SasAppointmentSchema = z
  .object({
    appointmentId: z.string().min(1),
    method: z.enum(['CreateAppointment', 'UpdateAppointment']),
    created: hubDateTime,
    start: hubDateTime,
    end: hubDateTime.optional(),
    status: SasAppointmentStatusSchema,
    orientationCategory: z.enum(['CPTS', 'MSP', 'CDS', 'SOS', 'PS', 'PDM']).optional(),
    practitioner: z
      .object({
        rppsId: z.string().regex(/^81[0-9]{10}$/, 'must be "81" followed by 10 digits'),
        lastName: z.string(),
        firstName: z.string(),
        specialityCode: z.string().optional(),
        specialityUrl: z.string().optional(),
        professionCode: z.string().optional(),
        professionUrl: z.string().optional(),
      })
      .strict()
      .optional(),
    organization: z.object({ organizationId: z.string(), name: z.string() }).strict().optional(),
    regulator: z
      .object({
        regulatorId: z.string().optional(),
        regulatorName: z.string(),
        regulatorFirstname: z.string(),
        regulatorEmail: z.string(),
      })
      .strict(),
  })
  .strict();
export type SasAppointment = z.infer<typeof SasAppointmentSchema>;

/**
 * What sas-redirect reads on `hub.inbound.RS-SAS-RDV`: hub-bridge's `HubInbound` event, whose
 * `content` is the object under the type's root key (the bare appointment); `{ appointment }`
 * as in the Hub examples is read too. `recipientId` is the LRM the appointment belongs to.
 */
export const HubInboundSasRdvSchema = HubInboundSchema.extend({
  distributionId: z.string().min(1),
  senderId: z.string().min(1),
  recipientId: z.string().min(1),
  // Bare contents are wrapped first, so that errors name the bad field (/content/appointment/status).
  content: z.preprocess(
    (v) => (v && typeof v === 'object' && 'appointment' in v ? v : { appointment: v }),
    z.object({ appointment: SasAppointmentSchema }),
  ),
});
export type HubInboundSasRdv = z.infer<typeof HubInboundSasRdvSchema>;

/** Senders allowed to send RS-SAS-RDV: the SAS platform, in production and outside it. */
export const SAS_HUB_SENDERS = ['fr.health.ptfsas', 'fr.health.test.ptfsas'] as const;

/** `sas.appointments.changed`: the whole current state of one appointment of one LRM. */
export const SAS_APPOINTMENTS_CHANGED = 'sas.appointments.changed';
export const SasAppointmentChangedSchema = z.object({
  lrm: z.string(),
  appointmentId: z.string(),
  /** created | updated | created-from-update (an update for an id never seen). */
  change: z.enum(['created', 'updated', 'created-from-update']),
  version: z.number().int().min(1),
  previousStatus: SasAppointmentStatusSchema.optional(),
  appointment: SasAppointmentSchema,
  distributionId: z.string(),
});
export type SasAppointmentChanged = z.infer<typeof SasAppointmentChangedSchema>;
