import { AppError, createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import { OphtixIdSchema } from '@hip/shared/schemas';
import { bodyLimit } from 'hono/body-limit';
import { AssetRefusedError, type DocumentService } from '../../service-api.ts';

export const MAX_ASSET_BYTES = 5 * 1024 * 1024;

const params = z.object({ doctorId: OphtixIdSchema });
const released = z.object({
  doctorId: z.string(),
  released: z.array(z.string()).describe('document ids queued again'),
});

const signatureRoute = createRoute({
  method: 'put',
  path: '/assets/signature/{doctorId}',
  summary: 'Upload a doctor signature (PNG, 142x85, transparent) and release their parked documents',
  request: {
    params,
    body: { content: { 'image/png': { schema: z.string().openapi({ format: 'binary' }) } }, required: true },
  },
  responses: {
    200: {
      description: 'Stored; parked documents queued again',
      content: { 'application/json': { schema: released } },
    },
    ...errorResponses('VALIDATION_FAILED', 'UNPROCESSABLE', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'),
  },
});

const letterheadRoute = createRoute({
  method: 'put',
  path: '/assets/letterhead/{doctorId}',
  summary: "Upload a doctor's letterhead (PDF, first page used) and release their parked documents",
  request: {
    params,
    body: {
      content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'Stored; parked documents queued again',
      content: { 'application/json': { schema: released } },
    },
    ...errorResponses('VALIDATION_FAILED', 'UNPROCESSABLE', 'UNSUPPORTED_MEDIA_TYPE', 'PAYLOAD_TOO_LARGE'),
  },
});

/** Runs an upload and turns a content refusal into a 422 naming what is wrong. */
async function storeAsset(
  kind: 'signature' | 'letterhead',
  service: DocumentService,
  doctorId: string,
  bytes: Uint8Array,
) {
  try {
    return kind === 'signature'
      ? await service.putSignature(doctorId, bytes)
      : await service.putLetterhead(doctorId, bytes);
  } catch (error) {
    if (error instanceof AssetRefusedError) throw new AppError('UNPROCESSABLE', error.message);
    throw error;
  }
}

export function registerAssetRoutes(app: ServiceApp, service: DocumentService) {
  app.use(
    '/assets/*',
    bodyLimit({
      maxSize: MAX_ASSET_BYTES,
      onError: () => {
        throw new AppError('PAYLOAD_TOO_LARGE', `asset larger than ${MAX_ASSET_BYTES} bytes`);
      },
    }),
  );
  for (const [route, kind, type] of [
    [signatureRoute, 'signature', 'image/png'],
    [letterheadRoute, 'letterhead', 'application/pdf'],
  ] as const) {
    app.openapi(route, async (c) => {
      const { doctorId } = c.req.valid('param');
      const contentType = c.req.header('content-type')?.split(';')[0]?.trim();
      if (contentType !== type) {
        throw new AppError(
          'UNSUPPORTED_MEDIA_TYPE',
          `send the ${kind} as ${type}, not ${contentType ?? 'no content type'}`,
        );
      }
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const result = await storeAsset(kind, service, doctorId, bytes);
      return c.json({ doctorId, released: result.released }, 200);
    });
  }
}
