import { z } from '@hip/shared';
import { flowIds } from '../domain/flows.ts';
import { entityKinds, liviaCollections } from '../domain/liviaEntities.ts';

export const TenantParam = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and -, at most 40')
  .openapi({ param: { name: 'tenant', in: 'path' }, example: 'apeihs' });
export const FlowParam = z.enum(flowIds).openapi({ param: { name: 'flow', in: 'path' }, example: 'I.4' });
export const CollectionParam = z
  .enum(liviaCollections)
  .openapi({ param: { name: 'collection', in: 'path' }, example: 'residents' });

export const Activation = z.object({
  tenant: z.string(),
  arcadTenant: z.string(),
  activatedBy: z.string(),
  activatedAt: z.string(),
});

export const RunReport = z.object({
  id: z.string(),
  flow: z.enum(flowIds),
  mode: z.enum(['full', 'retry']),
  status: z.enum(['running', 'done', 'interrupted']),
  total: z.number().int(),
  sent: z.number().int(),
  errors: z.number().int(),
  skipped: z.number().int(),
  skippedReasons: z.record(z.string(), z.number()),
  startedBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Why an interrupted run stopped; null otherwise. */
  interruptedReason: z.string().nullable(),
});

export const FlowStateSchema = z.object({
  flow: z.enum(flowIds),
  label: z.string(),
  parents: z.array(z.enum(flowIds)),
  completed: z.boolean(),
  running: z.boolean(),
  unresolvedErrors: z.number().int(),
  /** Rows the running run is sending right now: in flight, not errors. */
  inFlight: z.number().int(),
  /** Over every run of the flow (initial run and retries), so a retry does not hide the first run. */
  totals: z.object({
    runs: z.number().int(),
    retryRuns: z.number().int(),
    sent: z.number().int(),
    sentByRetries: z.number().int(),
    failures: z.number().int(),
    heldBack: z.number().int(),
  }),
  lockReason: z.string().nullable(),
  lastRun: RunReport.nullable(),
});

export const SyncError = z.object({
  id: z.number().int(),
  flow: z.enum(flowIds),
  entity: z.enum(entityKinds),
  liviaId: z.string(),
  arcadId: z.string().nullable(),
  status: z.enum(['error', 'sending']),
  reason: z.string(),
  retryable: z.boolean().nullable(),
  attempts: z.number().int(),
  updatedAt: z.string(),
});

export const RetryRequest = z.object({
  ids: z.array(z.number().int().positive()).max(10_000).optional(),
  all: z.boolean().optional(),
  flow: z.enum(flowIds).optional(),
});

export const MappingChoice = z
  .object({
    activityId: z.string().min(1),
    choice: z.enum(['create', 'existing']),
    arcadServiceId: z.string().min(1).optional(),
  })
  .refine((c) => c.choice === 'create' || c.arcadServiceId, {
    message: 'arcadServiceId is required when choice is existing',
    path: ['arcadServiceId'],
  });

export const runReportOf = (r: {
  id: string;
  flow: string;
  mode: string;
  status: string;
  total: number;
  sent: number;
  errors: number;
  skipped: number;
  skippedReasons: Record<string, number>;
  startedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
  interruptedReason: string | null;
}) => ({
  ...r,
  flow: r.flow as (typeof flowIds)[number],
  mode: r.mode as 'full' | 'retry',
  status: r.status as 'running' | 'done' | 'interrupted',
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt?.toISOString() ?? null,
});
