import { createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import { asc, eq } from 'drizzle-orm';
import type { AppDeps } from '../app.ts';
import { mappings } from '../db/schema.ts';
import { replaceCatalogue } from '../store/catalogue.ts';
import { setMapping, unmappedProducts } from '../store/mappings.ts';
import { AccountParams, requireAccount } from './params.ts';

const CatalogueBody = z
  .object({
    products: z
      .array(
        z.object({
          id: z.string().trim().min(1).max(64),
          name: z.string().trim().min(1).max(300),
          gtin: z.string().trim().max(20).nullish(),
        }),
      )
      .max(50_000),
  })
  .openapi('LgcvCatalogue');

const SuggestionSchema = z.object({
  lgcvId: z.string(),
  name: z.string(),
  reason: z.enum(['gtin', 'name']),
  score: z.number(),
});
const Unmapped = z
  .object({
    vetelevageId: z.string(),
    label: z.string(),
    gtin14: z.string().nullable(),
    gtinError: z
      .string()
      .nullable()
      .describe('why the GTIN Vétélevage sent was ignored (bad check digit...); mapped by id instead'),
    suggestions: z.array(SuggestionSchema),
  })
  .openapi('UnmappedProduct');
const Mapping = z
  .object({ vetelevageId: z.string(), lgcvId: z.string(), origin: z.string(), createdAt: z.string() })
  .openapi('ProductMapping');

export function registerProductRoutes(app: ServiceApp, deps: AppDeps): void {
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'put',
      path: '/accounts/{account}/catalogue',
      tags: ['Products'],
      summary:
        'Replace the LGCV product catalogue of the account (GTINs validated and normalised to 14 digits)',
      description:
        'A product with an invalid GTIN is kept without GTIN (it can still be suggested by name) and reported in `gtinRejected` with the reason. A catalogue with a duplicate product id is refused (422): a mapping names one product by id.',
      request: {
        params: AccountParams,
        body: { content: { 'application/json': { schema: CatalogueBody } }, required: true },
      },
      responses: {
        200: {
          description: 'Stored',
          content: {
            'application/json': {
              schema: z.object({
                accepted: z.number().int(),
                gtinRejected: z.array(z.object({ path: z.string(), message: z.string() })),
              }),
            },
          },
        },
        ...errorResponses('NOT_FOUND', 'UNPROCESSABLE'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      const { products } = c.req.valid('json');
      await requireAccount(db, account);
      return c.json(await replaceCatalogue(db, account, products), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{account}/products/unmapped',
      tags: ['Products'],
      summary:
        'Vétélevage products seen in visits and not mapped yet, with suggestions (GTIN first, then name)',
      request: { params: AccountParams },
      responses: {
        200: {
          description: 'Unmapped products',
          content: { 'application/json': { schema: z.object({ products: z.array(Unmapped) }) } },
        },
        ...errorResponses('NOT_FOUND'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      await requireAccount(db, account);
      return c.json({ products: await unmappedProducts(db, account) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{account}/mappings',
      tags: ['Products'],
      summary: 'Product mappings learned for the account',
      request: { params: AccountParams },
      responses: {
        200: {
          description: 'Mappings',
          content: { 'application/json': { schema: z.object({ mappings: z.array(Mapping) }) } },
        },
        ...errorResponses('NOT_FOUND'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      await requireAccount(db, account);
      const rows = await db
        .select()
        .from(mappings)
        .where(eq(mappings.account, account))
        .orderBy(asc(mappings.vetelevageId));
      return c.json(
        {
          mappings: rows.map((m) => ({
            vetelevageId: m.vetelevageId,
            lgcvId: m.lgcvId,
            origin: m.origin,
            createdAt: m.createdAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/accounts/{account}/mappings/{vetelevageId}',
      tags: ['Products'],
      summary: 'Map a Vétélevage product (by its unique id) to an LGCV product, once for all visits',
      request: {
        params: AccountParams.extend({
          vetelevageId: z
            .string()
            .min(1)
            .max(64)
            .openapi({ param: { name: 'vetelevageId', in: 'path' } }),
        }),
        body: {
          content: { 'application/json': { schema: z.object({ lgcvId: z.string().min(1) }) } },
          required: true,
        },
      },
      responses: {
        200: {
          description: 'Mapped; visits whose lines changed',
          content: { 'application/json': { schema: z.object({ affectedVisits: z.number().int() }) } },
        },
        ...errorResponses('NOT_FOUND', 'UNPROCESSABLE'),
      },
    }),
    async (c) => {
      const { account, vetelevageId } = c.req.valid('param');
      await requireAccount(db, account);
      const result = await setMapping(db, {
        account,
        vetelevageId,
        lgcvId: c.req.valid('json').lgcvId,
        origin: 'api',
      });
      deps.relay.kick();
      return c.json(result, 200);
    },
  );
}
