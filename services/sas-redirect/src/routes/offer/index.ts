import { AppError, createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import { SlotSchema, StructureSchema } from '../../adapters/offer.ts';
import type { AppDeps } from '../../deps.ts';
import { normalizeAddress } from '../../domain/address.ts';
import { parseSpecialty, type Specialty } from '../../domain/specialty.ts';

const OfferQuerySchema = z.object({
  specialty: z
    .string()
    .max(100)
    .optional()
    .openapi({ description: 'TRE_R38 code (bare or URN) or free text' }),
  inseecode: z.string().max(5).optional(),
  city: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

const meta = { fetchedAt: z.string(), source: z.enum(['live', 'cache', 'stale']) };

const slotsRoute = createRoute({
  method: 'get',
  path: '/offer/slots',
  summary: 'Free slots of private practitioners (SAS aggregated offer), by specialty and place',
  request: { query: OfferQuerySchema },
  responses: {
    200: {
      description: 'slots',
      content: { 'application/json': { schema: z.object({ slots: z.array(SlotSchema), ...meta }) } },
    },
    ...errorResponses(
      'UNAUTHENTICATED',
      'UNPROCESSABLE',
      'UPSTREAM_FAILED',
      'UPSTREAM_TIMEOUT',
      'UNAVAILABLE',
    ),
  },
});

const structuresRoute = createRoute({
  method: 'get',
  path: '/offer/structures',
  summary: 'Care structures (CPTS, MSP, CDS, SOS...) by specialty and place',
  request: { query: OfferQuerySchema.omit({ from: true, to: true }) },
  responses: {
    200: {
      description: 'structures',
      content: {
        'application/json': { schema: z.object({ structures: z.array(StructureSchema), ...meta }) },
      },
    },
    ...errorResponses(
      'UNAUTHENTICATED',
      'UNPROCESSABLE',
      'UPSTREAM_FAILED',
      'UPSTREAM_TIMEOUT',
      'UNAVAILABLE',
    ),
  },
});

const specialtyCode = (s: Specialty) =>
  s.kind === 'code' ? s.code : s.kind === 'free-text' ? s.text : 'SM54';

export function registerOfferRoutes(app: ServiceApp, deps: AppDeps, guard: (h?: string) => void) {
  const place = (q: { inseecode?: string | undefined; city?: string | undefined }) => {
    const address = normalizeAddress({ inseecode: q.inseecode, city: q.city });
    if (!address.ok) {
      throw new AppError('UNPROCESSABLE', address.problems.map((p) => p.message).join('; '), {
        errors: address.problems.map((p) => ({ path: `/${p.field}`, message: p.message })),
      });
    }
    return address.address;
  };

  app.openapi(slotsRoute, async (c) => {
    guard(c.req.header('authorization'));
    const q = c.req.valid('query');
    const where = place(q);
    const answer = await deps.offer.slots({
      specialty: specialtyCode(parseSpecialty(q.specialty, deps.specialties)),
      ...where,
      ...(q.from ? { from: q.from } : {}),
      ...(q.to ? { to: q.to } : {}),
    });
    return c.json({ slots: answer.items, fetchedAt: answer.fetchedAt, source: answer.source }, 200);
  });

  app.openapi(structuresRoute, async (c) => {
    guard(c.req.header('authorization'));
    const q = c.req.valid('query');
    const answer = await deps.offer.structures({
      specialty: specialtyCode(parseSpecialty(q.specialty, deps.specialties)),
      ...place(q),
    });
    return c.json({ structures: answer.items, fetchedAt: answer.fetchedAt, source: answer.source }, 200);
  });
}
