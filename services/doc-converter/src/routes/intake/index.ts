import { createRoute, type ServiceApp, z } from '@hip/shared';
import type { DocumentService } from '../../service-api.ts';

const IntakeFileSchema = z
  .object({
    id: z.number().int(),
    fileName: z.string(),
    status: z.enum(['received', 'failed']),
    reason: z.string().nullable(),
    line: z.number().int().nullable(),
    column: z.number().int().nullable(),
    repairs: z.array(z.object({ line: z.number().int(), column: z.number().int(), what: z.string() })),
    receivedAt: z.string(),
  })
  .openapi('IntakeFile');

const listRoute = createRoute({
  method: 'get',
  path: '/intake/files',
  summary:
    'Patient XML files read from the intake folder, most recent first (refused ones with reason and position)',
  request: {
    query: z.object({
      status: z.enum(['failed']).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: {
      description: 'Intake files',
      content: { 'application/json': { schema: z.object({ files: z.array(IntakeFileSchema) }) } },
    },
  },
});

export function registerIntakeRoutes(app: ServiceApp, service: DocumentService) {
  app.openapi(listRoute, async (c) => {
    const { status, limit } = c.req.valid('query');
    return c.json({ files: await service.intakeFiles(limit, status) }, 200);
  });
}
