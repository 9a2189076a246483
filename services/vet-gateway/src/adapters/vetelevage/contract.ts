import { type FieldError, fieldErrorsOf, withoutNulCharacters, z } from '@hip/shared';
import { ACCOUNT_ID_PATTERN, ACCOUNT_ID_RULE } from '../../domain/comptes.ts';

// The assumed Vétélevage API contract (README, "Assumed Vétélevage contract"): the public page
// only names the endpoints, so the JSON shapes live here, in one place, to be swapped when the
// partner's reference arrives. The simulator serves exactly these shapes.

export const TokenRequest = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('veterinaire'), identifiant: z.string(), mot_de_passe: z.string() }),
  z.object({ mode: z.literal('saas'), editeur: z.string(), secret: z.string() }),
]);
export type TokenRequest = z.infer<typeof TokenRequest>;

export const TokenResponse = z.object({
  jeton: z.string().min(1),
  /** Seconds. */
  expire_dans: z.number().int().positive(),
  /** The account the token is scoped to (veterinarian mode) or the editor's linked accounts (SaaS). */
  comptes: z.array(z.string()),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const Act = z.object({
  code: z.string().min(1).max(40),
  libelle: z.string().min(1).max(200),
});
export type Act = z.infer<typeof Act>;

export const ActList = z.object({ actes: z.array(Act) });
export type ActList = z.infer<typeof ActList>;

export const VisitAct = z.object({
  /** The LGCV's own act code, sent earlier with POST /actes. */
  code: z.string(),
  quantite: z.number().nonnegative(),
  animaux: z.array(z.string()).default([]),
});

export const VisitProduct = z.object({
  /** Vétélevage unique id of the product (SNGTV dictionary or clinic-specific). */
  id: z.string(),
  gtin: z.string().nullable().default(null),
  libelle: z.string(),
  quantite: z.number().nonnegative(),
  unite: z.string().default('unite'),
  animaux: z.array(z.string()).default([]),
});

export const Visit = z.object({
  id: z.string().min(1),
  // Not Vétélevage's rule but ours: visits are filed under this id, which becomes a subject
  // token and a row key (SaaS mode); a visit whose account is not such an id is rejected.
  compte: z.string().regex(ACCOUNT_ID_PATTERN, `account id ${ACCOUNT_ID_RULE}`),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}/, 'must be an ISO date'),
  veterinaire: z.object({ id: z.string(), nom: z.string() }),
  elevage: z.object({ numero: z.string(), nom: z.string() }),
  actes: z.array(VisitAct).default([]),
  produits: z.array(VisitProduct).default([]),
});
export type Visit = z.infer<typeof Visit>;

/** NUL characters become U+FFFD: Postgres cannot store them, and one would block the batch. */
export const VisitBatch = z.preprocess(
  withoutNulCharacters,
  z.object({
    /** Id of the frozen batch; null when there is nothing new. */
    lot: z.string().nullable(),
    visites: z.array(Visit),
  }),
);
export type VisitBatch = z.infer<typeof VisitBatch>;

/**
 * What `GET /visites` is checked against as a whole: each visit is then checked on its own
 * (`parseVisits`), so that one visit Vétélevage got wrong does not block its whole batch on
 * every run (the batch is frozen: it would come back identical for ever).
 */
export const VisitBatchEnvelope = z.preprocess(
  withoutNulCharacters,
  z.object({ lot: z.string().nullable(), visites: z.array(z.unknown()) }),
);

/** A visit of a batch that does not match the contract, kept raw with what is wrong in it. */
export interface RejectedVisit {
  /** Position in the batch, the only name a visit without a usable id has. */
  position: number;
  visitId: string | null;
  compte: string | null;
  raw: unknown;
  problems: FieldError[];
}

/** A batch as received: the visits that match the contract, and the ones that do not. */
export interface ReceivedBatch {
  lot: string | null;
  visites: Visit[];
  rejected: RejectedVisit[];
}

const stringField = (raw: unknown, key: string): string | null => {
  const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value.length > 0 ? value : null;
};

/** Splits the visits of a batch into valid ones and rejected ones (with their problems). */
export function parseVisits(lot: string | null, raw: readonly unknown[]): ReceivedBatch {
  const visites: Visit[] = [];
  const rejected: RejectedVisit[] = [];
  raw.forEach((item, position) => {
    const parsed = Visit.safeParse(item);
    if (parsed.success) visites.push(parsed.data);
    else
      rejected.push({
        position,
        visitId: stringField(item, 'id'),
        compte: stringField(item, 'compte'),
        raw: item,
        problems: fieldErrorsOf(parsed.error),
      });
  });
  return { lot, visites, rejected };
}

export const DictionaryProduct = z.object({
  id: z.string(),
  libelle: z.string(),
  gtin: z.string().nullable(),
  specifique_clinique: z.boolean().default(false),
});
export type DictionaryProduct = z.infer<typeof DictionaryProduct>;
export const ProductDictionary = z.object({ produits: z.array(DictionaryProduct) });

export const REFERENCE_TABLES = [
  'utilisateurs',
  'medicaments',
  'pathologies',
  'voies-administration',
] as const;
export type ReferenceTableName = (typeof REFERENCE_TABLES)[number];
export const ReferenceTable = z.object({
  table: z.string(),
  elements: z.array(z.object({ id: z.string(), libelle: z.string() }).passthrough()),
});
export type ReferenceTable = z.infer<typeof ReferenceTable>;
