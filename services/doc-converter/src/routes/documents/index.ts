import { AppError, createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import { bodyLimit } from 'hono/body-limit';
import { DOCUMENT_STATUSES } from '../../db/schema.ts';
import { DocumentMessageSchema } from '../../domain/document-message.ts';
import type { DocumentService } from '../../service-api.ts';

export const DocumentViewSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    doctorId: z.string(),
    centreId: z.string(),
    windowsLogin: z.string(),
    status: z.enum(DOCUMENT_STATUSES),
    outputPath: z.string().nullable().describe('relative to EXPORT_ROOT'),
    sha256: z.string().nullable(),
    error: z.string().nullable(),
    attempts: z.number().int(),
    source: z.enum(['bus', 'http']),
    receivedAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Document');

const IdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a document id') });

const submitRoute = createRoute({
  method: 'post',
  path: '/documents',
  summary: 'Submit a cpv2 document (same message as tcs.documents.generated)',
  request: { body: { content: { 'application/json': { schema: DocumentMessageSchema } }, required: true } },
  responses: {
    202: {
      description:
        'Accepted; conversion runs in the background. Re-sending an id answers 202 with created=false.',
      content: { 'application/json': { schema: z.object({ id: z.string(), created: z.boolean() }) } },
    },
    ...errorResponses('VALIDATION_FAILED', 'UNPROCESSABLE', 'PAYLOAD_TOO_LARGE'),
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/documents/{id}',
  summary: 'Status of a document: queued, converted, missing-signature, missing-letterhead or failed',
  request: { params: IdParams },
  responses: {
    200: { description: 'The document', content: { 'application/json': { schema: DocumentViewSchema } } },
    ...errorResponses('NOT_FOUND'),
  },
});

const listRoute = createRoute({
  method: 'get',
  path: '/documents',
  summary: 'Most recent documents first',
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }) },
  responses: {
    200: {
      description: 'Documents and counts per status',
      content: {
        'application/json': {
          schema: z.object({
            counts: z.record(z.string(), z.number().int()),
            documents: z.array(DocumentViewSchema),
          }),
        },
      },
    },
  },
});

const retryRoute = createRoute({
  method: 'post',
  path: '/documents/{id}/retry',
  summary: 'Puts a failed or parked document back in the queue',
  request: { params: IdParams },
  responses: {
    202: { description: 'Queued again', content: { 'application/json': { schema: DocumentViewSchema } } },
    ...errorResponses('NOT_FOUND', 'CONFLICT'),
  },
});

const errorsRoute = createRoute({
  method: 'get',
  path: '/errors',
  summary: 'Parked and failed documents, grouped by doctor',
  responses: {
    200: {
      description: 'One entry per doctor with something waiting',
      content: {
        'application/json': {
          schema: z.object({
            doctors: z.array(
              z.object({
                doctorId: z.string(),
                missingSignature: z.number().int(),
                missingLetterhead: z.number().int(),
                failed: z.number().int(),
                documents: z.array(DocumentViewSchema),
              }),
            ),
            rejectedMessages: z
              .array(
                z.object({
                  subject: z.string(),
                  msgId: z.string().nullable(),
                  reason: z.string(),
                  receivedAt: z.string(),
                }),
              )
              .describe('bus messages that could not be recorded as documents (invalid or dead-lettered)'),
          }),
        },
      },
    },
  },
});

export function registerDocumentRoutes(app: ServiceApp, service: DocumentService, maxBodyBytes: number) {
  app.use(
    '/documents',
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () => {
        throw new AppError(
          'PAYLOAD_TOO_LARGE',
          `body larger than ${maxBodyBytes} bytes; send large contents through the object store`,
        );
      },
    }),
  );
  app.openapi(submitRoute, async (c) => {
    const result = await service.submit(c.req.valid('json'));
    return c.json(result, 202);
  });
  app.openapi(getRoute, async (c) => {
    const doc = await service.get(c.req.valid('param').id);
    if (!doc) throw new AppError('NOT_FOUND', `no document "${c.req.valid('param').id}"`);
    return c.json(doc, 200);
  });
  app.openapi(listRoute, async (c) => {
    return c.json(await service.overview(c.req.valid('query').limit), 200);
  });
  app.openapi(retryRoute, async (c) => {
    const { id } = c.req.valid('param');
    const before = await service.get(id);
    if (!before) throw new AppError('NOT_FOUND', `no document "${id}"`);
    if (before.status === 'converted' || before.status === 'queued') {
      throw new AppError(
        'CONFLICT',
        `document "${id}" is ${before.status}; only failed or parked documents are retried`,
      );
    }
    const doc = await service.retry(id);
    return c.json(doc ?? before, 202);
  });
  app.openapi(errorsRoute, async (c) => {
    const [doctors, rejectedMessages] = await Promise.all([
      service.errorsByDoctor(),
      service.rejectedMessages(100),
    ]);
    return c.json({ doctors, rejectedMessages }, 200);
  });
}
