import { z } from '@hip/shared';
import { INS_STATUSES, insProblem } from './ins.ts';

/**
 * What LIVIA pushes through the batch endpoints, one schema per entity. Optional texts may come
 * empty: LIVIA databases hold many blank postcodes and cities, and the flows decide what to do.
 */
const text = z.string().trim();
const optionalText = text.max(200).optional().default('');
const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only');

export const LiviaUser = z.object({
  id,
  login: text.min(1).max(100),
  lastName: text.min(1).max(100),
  firstName: text.min(1).max(100),
  email: z.string().email().optional(),
  postcode: optionalText,
  city: optionalText,
});

export const LiviaEstablishment = z.object({
  id,
  name: text.min(1).max(200),
  finess: z
    .string()
    .regex(/^\d{9}$/, 'FINESS is 9 digits')
    .optional(),
  postcode: optionalText,
  city: optionalText,
});

export const LiviaActivity = z.object({
  id,
  establishmentId: id,
  name: text.min(1).max(200),
  code: text.max(50).optional().default(''),
});

/** INS (identifiant national de santé) of a resident, refused with its reason when malformed. */
export const InsSchema = z
  .object({ matricule: z.string().nullish(), status: z.enum(INS_STATUSES) })
  .superRefine((ins, ctx) => {
    const problem = insProblem(ins);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['matricule'] });
  });

export const LiviaResident = z.object({
  id,
  lastName: text.min(1).max(100),
  firstName: text.min(1).max(100),
  birthDate: z.iso.date(),
  sex: z.enum(['M', 'F', 'U']),
  postcode: optionalText,
  city: optionalText,
  deceased: z.boolean().default(false),
  deathDate: z.iso.date().optional(),
  ins: InsSchema.optional(),
});

export const LiviaRecord = z.object({ id, residentId: id, activityId: id });

export const LiviaFamilyContact = z.object({
  id,
  residentId: id,
  lastName: text.min(1).max(100),
  firstName: text.max(100).optional().default(''),
  relationship: text.min(1).max(60),
  phone: text.max(30).optional(),
});

export const LiviaIntervenant = z.object({
  id,
  lastName: text.min(1).max(100),
  firstName: text.max(100).optional().default(''),
  profession: text.min(1).max(100),
  rpps: z
    .string()
    .regex(/^\d{11}$/, 'RPPS is 11 digits')
    .optional(),
  /** The residents this professional follows: one partner in ARCAD, one link per resident. */
  // A resident named twice is one link: kept twice, the chunk would write one sync row twice.
  residentIds: z
    .array(id)
    .max(10_000)
    .default([])
    .transform((ids) => [...new Set(ids)]),
});

export const liviaSchemas = {
  users: LiviaUser,
  establishments: LiviaEstablishment,
  activities: LiviaActivity,
  residents: LiviaResident,
  records: LiviaRecord,
  'family-contacts': LiviaFamilyContact,
  intervenants: LiviaIntervenant,
} as const;

export type LiviaCollection = keyof typeof liviaSchemas;
export const liviaCollections = Object.keys(liviaSchemas) as LiviaCollection[];

export type LiviaUser = z.infer<typeof LiviaUser>;
export type LiviaEstablishment = z.infer<typeof LiviaEstablishment>;
export type LiviaActivity = z.infer<typeof LiviaActivity>;
export type LiviaResident = z.infer<typeof LiviaResident>;
export type LiviaRecord = z.infer<typeof LiviaRecord>;
export type LiviaFamilyContact = z.infer<typeof LiviaFamilyContact>;
export type LiviaIntervenant = z.infer<typeof LiviaIntervenant>;

/** The entity kinds of the synchronisation table. */
export const entityKinds = [
  'user',
  'establishment',
  'activity',
  'resident',
  'record',
  'family_contact',
  'intervenant',
  'intervenant_link',
] as const;
export type EntityKind = (typeof entityKinds)[number];

export const collectionEntity: Record<LiviaCollection, EntityKind> = {
  users: 'user',
  establishments: 'establishment',
  activities: 'activity',
  residents: 'resident',
  records: 'record',
  'family-contacts': 'family_contact',
  intervenants: 'intervenant',
};
