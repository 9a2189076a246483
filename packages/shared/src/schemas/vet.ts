// Bus messages of the `vet.*` subjects: visits imported from Vétélevage and their billing lines,
// for the vet practice software (LGCV).
import { z } from 'zod';

/** Vétélevage account ids as they appear in subjects: NATS tokens cannot hold `.`, `*`, `>` or spaces. */
export const vetAccountToken = (account: string): string => account.replace(/[^A-Za-z0-9_-]/g, '_');

/** Subjects of the veterinary domain. */
export const VET_SUBJECTS = {
  /** vet-gateway stored new visits of an account (through its outbox, after the commit). */
  visitsImported: (account: string) => `vet.${vetAccountToken(account)}.visits.imported`,
  /** Billing lines of already imported visits changed (a product got mapped). */
  billingUpdated: (account: string) => `vet.${vetAccountToken(account)}.billing.updated`,
  /** Request/reply: the current billing lines of one visit. */
  billingLinesRequest: 'vet.billing.lines.get',
} as const;

/** One billable line of a visit: an act or a product. What the whole visit shares is on the visit. */
export const VetBillingLineSchema = z.object({
  line: z.number().int().positive(),
  kind: z.enum(['act', 'product']),
  actCode: z.string().nullable().describe("the LGCV's own act code, returned by Vétélevage"),
  vetelevageProductId: z.string().nullable(),
  lgcvProductId: z.string().nullable().describe('null while the Vétélevage product is not mapped'),
  label: z.string(),
  quantity: z.number(),
  unit: z.string(),
  animals: z.array(z.string()),
  status: z.enum(['ok', 'unmapped_product', 'unknown_act']),
  flag: z.string().nullable().describe('why the line cannot be billed as is'),
});
export type VetBillingLine = z.infer<typeof VetBillingLineSchema>;

/** A visit as the LGCV bills it: vet, herd and date once, then its lines. */
export const VetVisitLinesSchema = z.object({
  visitId: z.string(),
  account: z.string(),
  date: z.string(),
  veterinarian: z.object({ id: z.string(), name: z.string() }),
  herd: z.object({ number: z.string(), name: z.string() }),
  flagged: z.number().int().describe('lines that need attention (unmapped product, unknown act)'),
  lines: z.array(VetBillingLineSchema),
});
export type VetVisitLines = z.infer<typeof VetVisitLinesSchema>;

/** `vet.<account>.visits.imported`: new visits of one frozen batch (chunked, at most 100 visits). */
export const VetVisitsImportedSchema = z.object({
  account: z.string(),
  lot: z.string().describe('the Vétélevage batch the visits came in'),
  visits: z.array(VetVisitLinesSchema),
});
export type VetVisitsImported = z.infer<typeof VetVisitsImportedSchema>;

/** `vet.<account>.billing.updated`: visits whose lines changed after a mapping. */
export const VetBillingUpdatedSchema = z.object({
  account: z.string(),
  reason: z.string(),
  visits: z.array(VetVisitLinesSchema),
});
export type VetBillingUpdated = z.infer<typeof VetBillingUpdatedSchema>;

/** Request of `vet.billing.lines.get`. */
export const VetBillingLinesRequestSchema = z.object({
  account: z.string().min(1),
  visitId: z.string().min(1),
});

/** Reply of `vet.billing.lines.get`: the visit, or an error naming what was not found. */
export const VetBillingLinesReplySchema = z.union([
  z.object({ ok: z.literal(true), visit: VetVisitLinesSchema }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type VetBillingLinesReply = z.infer<typeof VetBillingLinesReplySchema>;
