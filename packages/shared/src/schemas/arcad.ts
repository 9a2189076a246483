// Bus messages of the `arcad.*` and `livia.*` subjects: LIVIA <-> ARCAD360 synchronisation.
import { z } from 'zod';

/** Tenants as subject tokens: NATS tokens cannot hold `.`, `*`, `>` or spaces. */
export const arcadTenantToken = (tenant: string): string => tenant.replace(/[^A-Za-z0-9_-]/g, '_');

/** Subjects of the LIVIA <-> ARCAD360 domain. */
export const ARCAD_SUBJECTS = {
  /** arcad-sync finished a run of an initialisation flow (I.1-I.7) for a LIVIA tenant. */
  flowFinished: (tenant: string) => `arcad.${arcadTenantToken(tenant)}.flows.finished`,
  /** Changes coming from ARCAD360, for LIVIA: `arcad.<tenant>.<entity>.<change>` (live flows). */
  arcadChange: (tenant: string, entity: string, change: string) =>
    `arcad.${arcadTenantToken(tenant)}.${entity}.${change}`,
  /** LIVIA's live changes, for ARCAD360: `livia.<tenant>.<entity>.upserted|deleted`. */
  liviaChange: (tenant: string, entity: string, change: 'upserted' | 'deleted') =>
    `livia.${arcadTenantToken(tenant)}.${entity}.${change}`,
} as const;

export const ArcadFlowIdSchema = z.enum(['I.1', 'I.2', 'I.3', 'I.4', 'I.5', 'I.6', 'I.7']);

/** End of an initialisation run: LIVIA refreshes the synchronised state of its entities. */
export const ArcadFlowFinishedSchema = z.object({
  tenant: z.string(),
  flow: ArcadFlowIdSchema,
  runId: z.string(),
  mode: z.enum(['full', 'retry']),
  status: z.enum(['done', 'interrupted']),
  sent: z.number().int(),
  errors: z.number().int(),
  skipped: z.number().int(),
  /** Errors of this flow still unresolved after the run (the flow's children stay locked while > 0). */
  unresolvedErrors: z.number().int(),
  finishedAt: z.string(),
});
export type ArcadFlowFinished = z.infer<typeof ArcadFlowFinishedSchema>;
