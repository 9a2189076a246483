import {
  AppError,
  createRoute,
  errorResponses,
  fieldErrorsOf,
  requireBearer,
  type ServiceApp,
  z,
} from '@hip/shared';
import type { Context } from 'hono';
import type { Operations } from '../operations.ts';
import { TenantParam } from '../routes/schemas.ts';
import type { Sessions } from '../session.ts';
import type { Live } from './index.ts';
import { ArcadEnvelope, ArcadEvent, unreadableReason } from './messages.ts';
import { SIGNATURE_HEADER, signatureProblem } from './signature.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const ArcadIdParam = z
  .string()
  .regex(/^[\w.:-]{1,64}$/, 'an ARCAD360 id')
  .openapi({ param: { name: 'arcadId', in: 'path' }, example: 'CL0000042' });
const LiviaIdBody = z.object({
  liviaId: z
    .string()
    .regex(/^[\w.:-]{1,64}$/, 'letters, digits, _ . : - only')
    .optional()
    .openapi({ description: 'The LIVIA id to give the new entity; `arcad-<arcadId>` when absent' }),
});
const MessageStatus = z.enum(['pending', 'applied', 'ignored', 'refused', 'failed']);
const LiveMessage = z.object({
  id: z.number().int(),
  messageId: z.string(),
  type: z.string(),
  clientId: z.string(),
  sequence: z.number().int(),
  status: MessageStatus,
  reason: z.string().nullable(),
  retryable: z.boolean(),
  attempts: z.number().int(),
  changes: z.array(z.string()),
  processedBy: z.string().nullable(),
  receivedAt: z.string(),
  processedAt: z.string().nullable(),
});
const LiveSend = z.object({
  entity: z.string(),
  liviaId: z.string(),
  status: z.enum(['sent', 'failed', 'refused', 'ignored']),
  reason: z.string().nullable(),
  retryable: z.boolean(),
  attempts: z.number().int(),
  updatedAt: z.string(),
});

export function registerLive(
  app: ServiceApp,
  deps: { live: Live; ops: Operations; sessions: Sessions; liviaToken: string },
) {
  const { live, ops, sessions } = deps;
  const activations = new Map<string, { arcadTenant: string }>();
  const requireLivia = (c: Context) => requireBearer(c.req.header('authorization'), deps.liviaToken, 'LIVIA');

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhooks/arcad360/{tenant}',
      tags: ['ARCAD360 -> LIVIA'],
      summary: 'ARCAD360 webhook: a signed message about a client (stay, discharge, absence, identity)',
      description: `Body: one ARCAD360 event (README). Signed with the shared secret in \`${SIGNATURE_HEADER}: t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>\`. Answered 202 once on the bus; applied asynchronously, once, in order per client.`,
      request: { params: z.object({ tenant: TenantParam }) },
      responses: {
        202: json(
          z.object({
            accepted: z.literal(true),
            duplicate: z.boolean(),
            refused: z
              .string()
              .optional()
              .describe('Set when the body cannot be read: stored as refused, so later messages still apply'),
          }),
          'On the bus',
        ),
        ...errorResponses('UNAUTHENTICATED', 'BAD_REQUEST', 'NOT_FOUND', 'FORBIDDEN', 'UNAVAILABLE'),
      },
    }),
    async (c) => {
      const { tenant } = c.req.valid('param');
      if (!live.webhookSecret)
        throw new AppError(
          'UNAVAILABLE',
          'ARCAD_WEBHOOK_SECRET is not configured: webhooks cannot be verified',
        );
      const raw = await c.req.text();
      const problem = await signatureProblem(live.webhookSecret, c.req.header(SIGNATURE_HEADER), raw);
      if (problem) throw new AppError('UNAUTHENTICATED', `webhook refused: ${problem}`);
      let data: unknown;
      try {
        data = JSON.parse(raw);
      } catch {
        throw new AppError('BAD_REQUEST', 'webhook body is not JSON');
      }
      const parsed = ArcadEvent.safeParse(data);
      // Signed and placed in a client's sequence, but unreadable: accepted, and refused in its turn.
      const envelope = parsed.success ? null : ArcadEnvelope.safeParse(data);
      if (!parsed.success && !envelope?.success)
        throw new AppError('VALIDATION_FAILED', 'not an ARCAD360 event', {
          errors: fieldErrorsOf(parsed.error),
        });
      const message = parsed.success ? parsed.data : (envelope?.data as ArcadEnvelope);
      const row = activations.get(tenant) ?? (await ops.tenantOf(tenant));
      // An activation never moves to another ARCAD tenant (409), so it can be remembered.
      activations.set(tenant, row);
      if (row.arcadTenant !== message.tenant)
        throw new AppError(
          'FORBIDDEN',
          `tenant ${tenant} is linked to ARCAD360 tenant ${row.arcadTenant}, not ${message.tenant}`,
        );
      // Not on the bus = not accepted: ARCAD keeps the event and retries on a 503.
      const { duplicate } = await live.inbound
        .receive(tenant, parsed.success ? parsed.data : (data as ArcadEnvelope))
        .catch((error: unknown) => {
          throw new AppError(
            'UNAVAILABLE',
            `the message bus did not take the event: ${(error as Error).message}`,
          );
        });
      return c.json(
        {
          accepted: true as const,
          duplicate,
          ...(parsed.success ? {} : { refused: unreadableReason(parsed.error) }),
        },
        202,
      );
    },
  );

  app.openapi(
    createRoute({
      // POST with the criteria in the body: a resident's name and birth date must not end up in
      // URLs, which proxies and access logs keep.
      method: 'post',
      path: '/tenants/{tenant}/arcad/clients/search',
      tags: ['Search before create'],
      summary: "ARCAD360 clients matching LIVIA's first search step (name, first name, birth date)",
      security: [{ liviaToken: [] }],
      request: {
        params: z.object({ tenant: TenantParam }),
        body: body(
          z.strictObject({
            lastName: z.string().trim().min(2, 'at least 2 characters').max(100),
            firstName: z.string().trim().max(100).optional(),
            birthDate: z.iso.date().optional(),
          }),
        ),
      },
      responses: {
        200: json(
          z.object({ items: z.array(z.record(z.string(), z.unknown())) }),
          'Matches; `liviaId` is set when already linked',
        ),
        ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'UPSTREAM_FAILED'),
      },
    }),
    async (c) => {
      requireLivia(c);
      return c.json(
        { items: await live.search.clients(c.req.valid('param').tenant, c.req.valid('json')) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenants/{tenant}/arcad/clients/{arcadId}/resident',
      tags: ['Search before create'],
      summary: 'Creates the LIVIA resident from the ARCAD360 client picked in the search, already linked',
      security: [{ liviaToken: [] }],
      request: { params: z.object({ tenant: TenantParam, arcadId: ArcadIdParam }), body: body(LiviaIdBody) },
      responses: {
        201: json(
          z.record(z.string(), z.unknown()),
          'The LIVIA resident (also sent as arcad.<tenant>.residents.created)',
        ),
        ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'CONFLICT', 'UNPROCESSABLE', 'UPSTREAM_FAILED'),
      },
    }),
    async (c) => {
      requireLivia(c);
      const { tenant, arcadId } = c.req.valid('param');
      return c.json(await live.search.createResident(tenant, arcadId, c.req.valid('json').liviaId), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenants/{tenant}/arcad/users/search',
      tags: ['Search before create'],
      summary: 'ARCAD360 users matching the user creation search (name, first name, login)',
      security: [{ liviaToken: [] }],
      request: {
        params: z.object({ tenant: TenantParam }),
        body: body(
          z.strictObject({
            lastName: z.string().trim().min(2, 'at least 2 characters').max(100),
            firstName: z.string().trim().max(100).optional(),
            login: z.string().trim().max(100).optional(),
          }),
        ),
      },
      responses: {
        200: json(z.object({ items: z.array(z.record(z.string(), z.unknown())) }), 'Matches'),
        ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'UPSTREAM_FAILED'),
      },
    }),
    async (c) => {
      requireLivia(c);
      return c.json(
        { items: await live.search.users(c.req.valid('param').tenant, c.req.valid('json')) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenants/{tenant}/arcad/users/{arcadId}/user',
      tags: ['Search before create'],
      summary: 'Creates the LIVIA user from the ARCAD360 user picked in the search, already linked',
      security: [{ liviaToken: [] }],
      request: { params: z.object({ tenant: TenantParam, arcadId: ArcadIdParam }), body: body(LiviaIdBody) },
      responses: {
        201: json(
          z.record(z.string(), z.unknown()),
          'The LIVIA user (also sent as arcad.<tenant>.users.created)',
        ),
        ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'CONFLICT', 'UNPROCESSABLE'),
      },
    }),
    async (c) => {
      requireLivia(c);
      const { tenant, arcadId } = c.req.valid('param');
      return c.json(await live.search.createUser(tenant, arcadId, c.req.valid('json').liviaId), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tenants/{tenant}/live/messages',
      tags: ['ARCAD360 -> LIVIA'],
      summary:
        'Received ARCAD360 messages with their outcome (applied / ignored: reason / refused / failed, retryable)',
      request: {
        params: z.object({ tenant: TenantParam }),
        query: z.object({
          status: MessageStatus.optional(),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
      },
      responses: {
        200: json(
          z.object({
            counts: z.record(z.string(), z.number()),
            ignoredReasons: z.array(z.object({ reason: z.string(), count: z.number() })),
            items: z.array(LiveMessage),
          }),
          'Newest first',
        ),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
      },
    }),
    async (c) => {
      const { tenant } = c.req.valid('param');
      await ops.requireViewer(tenant, await sessions.get(c));
      const q = c.req.valid('query');
      return c.json(await live.inbound.log(tenant, { status: q.status, limit: q.limit ?? 200 }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenants/{tenant}/live/messages/retry',
      tags: ['ARCAD360 -> LIVIA'],
      summary:
        'Applies failed ARCAD360 messages again (then the messages of the same clients held behind them)',
      request: {
        params: z.object({ tenant: TenantParam }),
        body: body(
          z.object({ ids: z.array(z.number().int()).max(1000).optional(), all: z.boolean().optional() }),
        ),
      },
      responses: {
        200: json(z.object({ retried: z.number().int() }), 'Retried'),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST'),
      },
    }),
    async (c) => {
      const { tenant } = c.req.valid('param');
      await ops.requirePrivileged(tenant, await sessions.get(c));
      const b = c.req.valid('json');
      if (!b.all && !b.ids?.length)
        throw new AppError('BAD_REQUEST', 'give the ids of the messages to retry, or all: true');
      return c.json({ retried: await live.inbound.retry(tenant, b.all ? 'all' : (b.ids ?? [])) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/tenants/{tenant}/live/sends',
      tags: ['LIVIA -> ARCAD360'],
      summary: 'Last live send of each LIVIA entity to ARCAD360; failures are parked here with their reason',
      request: {
        params: z.object({ tenant: TenantParam }),
        query: z.object({ status: z.enum(['sent', 'failed', 'refused', 'ignored']).optional() }),
      },
      responses: {
        200: json(z.object({ items: z.array(LiveSend) }), 'Newest first'),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'),
      },
    }),
    async (c) => {
      const { tenant } = c.req.valid('param');
      await ops.requireViewer(tenant, await sessions.get(c));
      const status = c.req.valid('query').status;
      return c.json({ items: await live.outbound.log(tenant, status ? { status: [status] } : {}) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/tenants/{tenant}/live/sends/retry',
      tags: ['LIVIA -> ARCAD360'],
      summary: 'Sends parked LIVIA changes again',
      request: {
        params: z.object({ tenant: TenantParam }),
        body: body(
          z.object({
            items: z
              .array(z.object({ entity: z.string(), liviaId: z.string() }))
              .max(1000)
              .optional(),
            all: z.boolean().optional(),
          }),
        ),
      },
      responses: {
        200: json(z.object({ retried: z.number().int() }), 'Retried'),
        ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST'),
      },
    }),
    async (c) => {
      const { tenant } = c.req.valid('param');
      await ops.requirePrivileged(tenant, await sessions.get(c));
      const b = c.req.valid('json');
      if (!b.all && !b.items?.length)
        throw new AppError('BAD_REQUEST', 'give the items to retry, or all: true');
      return c.json({ retried: await live.outbound.retry(tenant, b.all ? 'all' : (b.items ?? [])) }, 200);
    },
  );
}
