import { AppError, createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import { SasAppointmentSchema, SasAppointmentStatusSchema } from '@hip/shared/schemas';
import type { AppDeps } from '../../deps.ts';

const AppointmentSchema = z
  .object({
    lrm: z.string(),
    appointmentId: z.string(),
    status: SasAppointmentStatusSchema,
    version: z.number().int(),
    updatedAt: z.string(),
    appointment: SasAppointmentSchema,
  })
  .openapi('Appointment');

const HistoryEntrySchema = z
  .object({
    method: z.string(),
    /** `stale`: sent before the state then held, recorded but not applied. */
    applied: z.enum(['created', 'updated', 'created-from-update', 'stale']),
    status: SasAppointmentStatusSchema,
    distributionId: z.string(),
    /** When the SAS sent it (RC-DE `sentAt`), absent on entries older than this field. */
    sentAt: z.string().optional(),
    receivedAt: z.string(),
    appointment: SasAppointmentSchema,
  })
  .openapi('AppointmentHistoryEntry');

const ParkedSchema = z
  .object({
    id: z.number().int(),
    subject: z.string(),
    reason: z.string(),
    parkedAt: z.string(),
    retriedAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
  })
  .openapi('ParkedMessage');

const listRoute = createRoute({
  method: 'get',
  path: '/appointments',
  summary: 'Current appointments (RS-SAS-RDV follow-up), per LRM',
  request: {
    query: z.object({
      lrm: z.string().max(100).optional().openapi({ description: 'Hub id of the LRM (recipient)' }),
      status: SasAppointmentStatusSchema.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: {
      description: 'appointments, most recently changed first',
      content: { 'application/json': { schema: z.object({ appointments: z.array(AppointmentSchema) }) } },
    },
    ...errorResponses('UNAUTHENTICATED'),
  },
});

const historyRoute = createRoute({
  method: 'get',
  path: '/appointments/{lrm}/{appointmentId}/history',
  summary: 'Every message applied to one appointment, in order',
  request: { params: z.object({ lrm: z.string(), appointmentId: z.string() }) },
  responses: {
    200: {
      description: 'history',
      content: { 'application/json': { schema: z.object({ history: z.array(HistoryEntrySchema) }) } },
    },
    ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND'),
  },
});

const parkedRoute = createRoute({
  method: 'get',
  path: '/appointments/parked',
  summary: 'Appointment messages that could not be applied, with the reason',
  request: { query: z.object({ all: z.enum(['true', 'false']).optional() }) },
  responses: {
    200: {
      description: 'parked messages',
      content: { 'application/json': { schema: z.object({ parked: z.array(ParkedSchema) }) } },
    },
    ...errorResponses('UNAUTHENTICATED'),
  },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/appointments/parked/{id}/retry',
  summary: 'Apply a parked message again',
  request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
  responses: {
    200: {
      description: 'applied, already applied (duplicate), or older than the state held (stale)',
      content: {
        'application/json': { schema: z.object({ outcome: z.enum(['applied', 'duplicate', 'stale']) }) },
      },
    },
    ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'UNPROCESSABLE'),
  },
});

export const parkedView = (p: Awaited<ReturnType<AppDeps['appointments']['parked']>>[number]) => ({
  id: p.id,
  subject: p.subject,
  reason: p.reason,
  parkedAt: p.parkedAt.toISOString(),
  retriedAt: p.retriedAt?.toISOString() ?? null,
  resolvedAt: p.resolvedAt?.toISOString() ?? null,
});

export function registerAppointmentRoutes(app: ServiceApp, deps: AppDeps, guard: (h?: string) => void) {
  app.openapi(listRoute, async (c) => {
    guard(c.req.header('authorization'));
    const q = c.req.valid('query');
    const rows = await deps.appointments.list({
      ...(q.lrm ? { lrm: q.lrm } : {}),
      ...(q.status ? { status: q.status } : {}),
      limit: q.limit,
    });
    return c.json(
      {
        appointments: rows.map((r) => ({
          lrm: r.lrm,
          appointmentId: r.appointmentId,
          status: r.status as z.infer<typeof SasAppointmentStatusSchema>,
          version: r.version,
          updatedAt: r.updatedAt.toISOString(),
          appointment: r.state as z.infer<typeof SasAppointmentSchema>,
        })),
      },
      200,
    );
  });

  app.openapi(parkedRoute, async (c) => {
    guard(c.req.header('authorization'));
    const rows = await deps.appointments.parked(c.req.valid('query').all === 'true');
    return c.json({ parked: rows.map(parkedView) }, 200);
  });

  app.openapi(historyRoute, async (c) => {
    guard(c.req.header('authorization'));
    const { lrm, appointmentId } = c.req.valid('param');
    const rows = await deps.appointments.history(lrm, appointmentId);
    if (rows.length === 0) throw new AppError('NOT_FOUND', `no appointment ${appointmentId} for LRM ${lrm}`);
    return c.json(
      {
        history: rows.map((r) => ({
          method: r.method,
          applied: r.applied as 'created',
          status: r.status as 'booked',
          distributionId: r.distributionId,
          ...(r.sentAt ? { sentAt: r.sentAt.toISOString() } : {}),
          receivedAt: r.receivedAt.toISOString(),
          appointment: r.state as z.infer<typeof SasAppointmentSchema>,
        })),
      },
      200,
    );
  });

  app.openapi(retryRoute, async (c) => {
    guard(c.req.header('authorization'));
    const result = await deps.appointments.retry(c.req.valid('param').id);
    if (!result) throw new AppError('NOT_FOUND', 'no parked message with this id');
    if ('error' in result) throw new AppError('UNPROCESSABLE', `still cannot be applied: ${result.error}`);
    return c.json({ outcome: result.outcome }, 200);
  });
}
