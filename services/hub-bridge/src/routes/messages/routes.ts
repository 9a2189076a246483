import { createRoute, errorResponses, z } from '@hip/shared';
import { HubOutboundSchema } from '@hip/shared/schemas';

export const TraceEventSchema = z.object({
  at: z.string(),
  state: z.string(),
  detail: z.string().optional(),
});

export const TraceSchema = z
  .object({
    distributionId: z.string(),
    direction: z.enum(['sent', 'received']),
    type: z.string(),
    kind: z.string(),
    peer: z.string().describe('recipient of a sent message, sender of a received one'),
    vhost: z.string(),
    format: z.enum(['json', 'xml']),
    state: z
      .string()
      .describe(
        'sent: pending, confirmed, acknowledged, refused, error, expired, failed (hub.outbound dead letter), retried; received: received, delivered, parked, report',
      ),
    errorCode: z.number().nullable(),
    errorCause: z.string().nullable(),
    ackDistributionId: z.string().nullable().describe('the RC-REF (final reception acknowledgement)'),
    acknowledgedAt: z.string().nullable(),
    confirmedAt: z.string().nullable(),
    reference: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('HubMessageTrace');

export const TraceDetailSchema = TraceSchema.extend({ history: z.array(TraceEventSchema) }).openapi(
  'HubMessageTraceDetail',
);

export const sendMessage = createRoute({
  method: 'post',
  path: '/messages',
  summary: 'Send a business message to another Hub client',
  description:
    'Wraps the content in RC-DE + EDXL-DE, validates the whole message against the official schemas and publishes it with confirm. A message the Hub would refuse is answered 422 with its errors (JSON paths) and never leaves.',
  request: {
    body: {
      content: { 'application/json': { schema: HubOutboundSchema } },
      required: true,
    },
  },
  responses: {
    202: {
      description: 'Accepted and in the trace; the state follows confirm and RC-REF',
      content: { 'application/json': { schema: TraceSchema } },
    },
    ...errorResponses('VALIDATION_FAILED', 'UNPROCESSABLE', 'UNAVAILABLE'),
  },
});

export const listMessages = createRoute({
  method: 'get',
  path: '/messages',
  summary: 'Trace of sent and received messages, newest first',
  request: {
    query: z.object({
      direction: z.enum(['sent', 'received']).optional(),
      state: z.string().max(32).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: {
      description: 'Messages',
      content: { 'application/json': { schema: z.object({ items: z.array(TraceSchema) }) } },
    },
  },
});

const IdParam = z.object({ distributionId: z.string().min(1).max(200) });

export const getMessage = createRoute({
  method: 'get',
  path: '/messages/{distributionId}',
  summary: 'One message with its history (confirm, RC-REF, Hub reports)',
  request: { params: IdParam },
  responses: {
    200: { description: 'The message', content: { 'application/json': { schema: TraceDetailSchema } } },
    ...errorResponses('NOT_FOUND'),
  },
});

export const retryMessage = createRoute({
  method: 'post',
  path: '/messages/{distributionId}/retry',
  summary: 'Re-process a parked received message, or re-publish a pending sent one',
  request: { params: IdParam },
  responses: {
    200: {
      description: 'The message after the retry',
      content: { 'application/json': { schema: TraceSchema } },
    },
    ...errorResponses('NOT_FOUND', 'CONFLICT'),
  },
});
