import { requestJson, z } from '@hip/shared';

/**
 * ASSUMED CONTRACT of the SAS aggregated care-offer API (not public; see README "Care offer"):
 *   GET {base}/api/v1/offer/slots?specialty=<TRE_R38|text>&inseecode=&city=&from=&to=
 *     -> { slots: Slot[] }
 *   GET {base}/api/v1/offer/structures?specialty=&inseecode=&city=
 *     -> { structures: Structure[] }
 *   Authorization: Bearer <key>. Everything is parsed here and nowhere else, so swapping the
 *   contract when the SAS publishes it touches this file only.
 */
export const SlotSchema = z
  .object({
    id: z.string(),
    start: z.string(),
    end: z.string(),
    practitioner: z.object({
      rppsId: z.string(),
      lastName: z.string(),
      firstName: z.string(),
      specialityCode: z.string().optional(),
    }),
    location: z.object({
      name: z.string().optional(),
      address: z.string(),
      inseecode: z.string().optional(),
    }),
  })
  .openapi('OfferSlot');
export type Slot = z.infer<typeof SlotSchema>;

export const StructureSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['CPTS', 'MSP', 'CDS', 'SOS', 'PDM', 'OTHER']),
    address: z.string(),
    inseecode: z.string().optional(),
    phone: z.string().optional(),
  })
  .openapi('OfferStructure');
export type Structure = z.infer<typeof StructureSchema>;

export interface OfferQuery {
  specialty?: string;
  inseecode?: string;
  city?: string;
  from?: string;
  to?: string;
}

export interface OfferAdapter {
  slots(query: OfferQuery): Promise<Slot[]>;
  structures(query: OfferQuery): Promise<Structure[]>;
}

export function createOfferAdapter(options: {
  baseUrl: string;
  apiKey?: string;
  timeoutMs: number;
}): OfferAdapter {
  const get = <S extends z.ZodType>(path: string, query: OfferQuery, schema: S) => {
    const url = new URL(path, options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    for (const [k, v] of Object.entries(query)) if (v) url.searchParams.set(k, v);
    return requestJson('SAS offer API', url.toString(), {
      schema,
      timeoutMs: options.timeoutMs,
      ...(options.apiKey ? { headers: { authorization: `Bearer ${options.apiKey}` } } : {}),
    });
  };
  return {
    slots: async (q) => (await get('api/v1/offer/slots', q, z.object({ slots: z.array(SlotSchema) }))).slots,
    structures: async (q) =>
      (await get('api/v1/offer/structures', q, z.object({ structures: z.array(StructureSchema) })))
        .structures,
  };
}
