import {
  type AppEnv,
  AppError,
  createRoute,
  errorResponses,
  requireBearer,
  type ServiceApp,
  z,
} from '@hip/shared';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { type FlowId, flowIds } from '../domain/flows.ts';
import type { FlowEngine } from '../flows/engine.ts';
import type { Operations } from '../operations.ts';
import type { Sessions } from '../session.ts';
import {
  Activation,
  CollectionParam,
  FlowParam,
  FlowStateSchema,
  MappingChoice,
  RetryRequest,
  RunReport,
  runReportOf,
  SyncError,
  TenantParam,
} from './schemas.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** A run's counters as the progress bar reads them. */
export const progressOf = (run: { total: number; sent: number; errors: number; status: string }) => ({
  total: run.total,
  done: run.sent + run.errors,
  sent: run.sent,
  errors: run.errors,
  status: run.status,
  percent:
    run.total === 0
      ? run.status === 'running'
        ? 0
        : 100
      : Math.floor(((run.sent + run.errors) * 100) / run.total),
});

/** Server-sent progress of one run, until it ends. */
export function progressStream(c: Context, engine: FlowEngine, runId: string, intervalMs = 300) {
  return streamSSE(c, async (stream) => {
    let aborted = false;
    stream.onAbort(() => {
      aborted = true;
    });
    while (!aborted) {
      const run = await engine.run(runId);
      if (!run) break;
      const progress = progressOf(run);
      await stream.writeSSE({ event: 'progress', data: JSON.stringify(progress) });
      if (run.status !== 'running') {
        await stream.writeSSE({ event: 'end', data: JSON.stringify(runReportOf(run)) });
        break;
      }
      await stream.sleep(intervalMs);
    }
  });
}

export function registerApi(
  app: ServiceApp,
  deps: { ops: Operations; engine: FlowEngine; sessions: Sessions; liviaToken: string },
) {
  const { ops, engine, sessions } = deps;

  app.openapi(
    createRoute({
      method: 'put',
      path: '/tenants/{tenant}/livia/{collection}',
      tags: ['LIVIA'],
      summary: 'LIVIA pushes a batch of one entity kind (initial load); replaces the stored versions',
      security: [{ liviaToken: [] }],
      request: {
        params: z.object({ tenant: TenantParam, collection: CollectionParam }),
        body: body(z.object({ items: z.array(z.record(z.string(), z.unknown())).min(1).max(50_000) })),
      },
      responses: {
        200: json(z.object({ accepted: z.number().int() }), 'Stored'),
        ...errorResponses('VALIDATION_FAILED', 'UNAUTHENTICATED', 'NOT_FOUND'),
      },
    }),
    async (c) => {
      requireBearer(c.req.header('authorization'), deps.liviaToken, 'LIVIA');
      const { tenant, collection } = c.req.valid('param');
      return c.json(await ops.pushLivia(tenant, collection, c.req.valid('json').items), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/tenants/{tenant}/activation',
      tags: ['Activation'],
      summary: 'Activates the ARCAD360 interface for a LIVIA customer group with its ARCAD tenant name',
      request: {
        params: z.object({ tenant: TenantParam }),
        body: body(z.object({ arcadTenant: z.string().regex(/^[\w-]{1,60}$/, 'an ARCAD360 tenant name') })),
      },
      responses: {
        200: json(Activation, 'Activated'),
        ...errorResponses(
          'UNAUTHENTICATED',
          'FORBIDDEN',
          'CONFLICT',
          'VALIDATION_FAILED',
          'UNPROCESSABLE',
          'UPSTREAM_FAILED',
        ),
      },
    }),
    async (c) => {
      const session = await sessions.require(c);
      const row = await ops.activate(c.req.valid('param').tenant, c.req.valid('json').arcadTenant, session);
      return c.json({ ...row, activatedAt: row.activatedAt.toISOString() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tenants/{tenant}/flows',
      tags: ['Flows'],
      summary: 'The seven initialisation flows with their state and, when locked, why',
      request: { params: z.object({ tenant: TenantParam }) },
      responses: {
        200: json(z.array(FlowStateSchema), 'Flow states'),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
      },
    }),
    async (c) => {
      const { tenant } = c.req.valid('param');
      await ops.requireViewer(tenant, await sessions.get(c));
      const states = Object.values(await engine.states(tenant));
      return c.json(
        states.map((s) => ({ ...s, lastRun: s.lastRun ? runReportOf(s.lastRun) : null })),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenants/{tenant}/flows/{flow}/runs',
      tags: ['Flows'],
      summary: 'Starts a flow (privileged ARCAD360 session); follow it on /runs/{runId}/events',
      request: { params: z.object({ tenant: TenantParam, flow: FlowParam }) },
      responses: {
        202: json(z.object({ runId: z.string() }), 'Started'),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'LOCKED', 'NOT_FOUND'),
      },
    }),
    async (c) => {
      const { tenant, flow } = c.req.valid('param');
      const runId = await ops.startFlow(tenant, flow, await sessions.get(c));
      return c.json({ runId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tenants/{tenant}/runs/{runId}',
      tags: ['Flows'],
      summary: 'A run and its end-of-flow report (counts, reasons held back, errors to fix)',
      request: { params: z.object({ tenant: TenantParam, runId: z.uuid() }) },
      responses: {
        200: json(RunReport.extend({ errorList: z.array(SyncError) }), 'The run'),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
      },
    }),
    async (c) => {
      const { tenant, runId } = c.req.valid('param');
      await ops.requireViewer(tenant, await sessions.get(c));
      const run = await engine.run(runId);
      if (!run || run.tenant !== tenant)
        throw new AppError('NOT_FOUND', `no run ${runId} for tenant ${tenant}`);
      const errors = await ops.flowErrors(tenant, run.flow as FlowId, 500);
      return c.json({ ...runReportOf(run), errorList: errors.items }, 200);
    },
  );

  // Streams and files are plain routes; the document still names them.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/tenants/{tenant}/runs/{runId}/events',
    tags: ['Flows'],
    summary:
      'Live progress of a run (server-sent events): `progress` {total, done, sent, errors, percent}, then `end`',
    request: { params: z.object({ tenant: TenantParam, runId: z.uuid() }) },
    responses: {
      200: { description: 'Event stream', content: { 'text/event-stream': { schema: z.string() } } },
      ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/tenants/{tenant}/credentials.csv',
    tags: ['Flows'],
    summary: 'I.1 logins and temporary passwords (privileged session), handed over once then purged',
    request: { params: z.object({ tenant: TenantParam }) },
    responses: {
      200: { description: 'CSV login,temporary_password', content: { 'text/csv': { schema: z.string() } } },
      ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'GONE'),
    },
  });

  app.get('/tenants/:tenant/runs/:runId/events', async (c) => {
    await ops.requireViewer(TenantParam.parse(c.req.param('tenant')), await sessions.get(c));
    const run = await engine.run(c.req.param('runId'));
    if (!run || run.tenant !== c.req.param('tenant')) throw new AppError('NOT_FOUND', 'no such run');
    return progressStream(c, engine, run.id);
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tenants/{tenant}/activities/mapping',
      tags: ['Flows'],
      summary:
        'I.3 mapping screen data: activities of synchronised establishments and the existing ARCAD services',
      request: { params: z.object({ tenant: TenantParam }) },
      responses: {
        200: json(
          z.array(
            z.object({
              activityId: z.string(),
              name: z.string(),
              establishmentId: z.string(),
              legalEntityId: z.string(),
              synced: z.boolean(),
              choice: z
                .object({ choice: z.enum(['create', 'existing']), arcadServiceId: z.string().optional() })
                .nullable(),
              existingServices: z.array(z.object({ id: z.string(), name: z.string() })),
            }),
          ),
          'Proposed activities',
        ),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'UPSTREAM_FAILED'),
      },
    }),
    async (c) => {
      const { tenant } = c.req.valid('param');
      await ops.requireViewer(tenant, await sessions.get(c));
      return c.json(await ops.mappingView(tenant), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/tenants/{tenant}/activities/mapping',
      tags: ['Flows'],
      summary: 'Saves the create-or-map choices and sends them (starts I.3)',
      request: {
        params: z.object({ tenant: TenantParam }),
        body: body(z.object({ choices: z.array(MappingChoice).min(1).max(10_000) })),
      },
      responses: {
        202: json(z.object({ runId: z.string() }), 'Saved and started'),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'LOCKED', 'UNPROCESSABLE', 'VALIDATION_FAILED'),
      },
    }),
    async (c) => {
      const runId = await ops.saveMapping(
        c.req.valid('param').tenant,
        c.req.valid('json').choices,
        await sessions.get(c),
      );
      return c.json({ runId }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tenants/{tenant}/errors',
      tags: ['Error manager'],
      summary: 'Unresolved synchronisation failures of every flow, with their reason',
      request: {
        params: z.object({ tenant: TenantParam }),
        query: z.object({
          flow: z.enum(flowIds).optional(),
          entity: SyncError.shape.entity.optional(),
          q: z.string().max(100).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: {
        200: json(z.object({ total: z.number().int(), items: z.array(SyncError) }), 'Errors'),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'VALIDATION_FAILED'),
      },
    }),
    async (c) => {
      const { tenant } = c.req.valid('param');
      await ops.requireViewer(tenant, await sessions.get(c));
      return c.json(await ops.listErrors(tenant, c.req.valid('query')), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenants/{tenant}/errors/retry',
      tags: ['Error manager'],
      summary: 'Retries one, a selection (ids) or all errors (optionally of one flow)',
      request: { params: z.object({ tenant: TenantParam }), body: body(RetryRequest) },
      responses: {
        202: json(
          z.object({
            runs: z.array(
              z.object({
                flow: z.enum(flowIds),
                runId: z.string().nullable(),
                refused: z.string().nullable(),
                entities: z.number().int(),
              }),
            ),
          }),
          'Retry runs started (or refused, with the lock reason)',
        ),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST'),
      },
    }),
    async (c) => {
      const runs = await ops.retry(c.req.valid('param').tenant, c.req.valid('json'), await sessions.get(c));
      return c.json({ runs }, 202);
    },
  );

  app.get('/tenants/:tenant/credentials.csv', async (c: Context<AppEnv>) => {
    const csv = await ops.takeCredentialsCsv(TenantParam.parse(c.req.param('tenant')), await sessions.get(c));
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="arcad-temporary-passwords.csv"`,
      'cache-control': 'no-store',
    });
  });
}
