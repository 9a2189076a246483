import { createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import { REFERENCE_TABLES } from '../adapters/vetelevage/contract.ts';
import type { AppDeps } from '../app.ts';
import { upstream } from './acts.ts';
import { AccountParams, requireAccount } from './params.ts';

export function registerReferenceRoutes(app: ServiceApp, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{account}/reference/{table}',
      tags: ['Reference'],
      summary: 'A Vétélevage reference table (users, medicines, pathologies, administration routes), cached',
      request: {
        params: AccountParams.extend({
          table: z.enum(REFERENCE_TABLES).openapi({ param: { name: 'table', in: 'path' } }),
        }),
      },
      responses: {
        200: {
          description: 'Table',
          content: {
            'application/json': {
              schema: z.object({
                table: z.string(),
                cached: z.boolean(),
                elements: z.array(z.record(z.string(), z.unknown())),
              }),
            },
          },
        },
        ...errorResponses('NOT_FOUND', 'UPSTREAM_FAILED', 'UPSTREAM_TIMEOUT'),
      },
    }),
    async (c) => {
      const { account, table } = c.req.valid('param');
      await requireAccount(deps.db, account);
      const { value, cached } = await upstream(() => deps.reference.table(account, table));
      return c.json({ table: value.table, cached, elements: value.elements }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{account}/dictionary',
      tags: ['Reference'],
      summary: 'The SNGTV product dictionary (Vétélevage unique id, GTIN when there is one), cached',
      request: { params: AccountParams },
      responses: {
        200: {
          description: 'Products',
          content: {
            'application/json': {
              schema: z.object({
                cached: z.boolean(),
                products: z.array(
                  z.object({
                    id: z.string(),
                    libelle: z.string(),
                    gtin: z.string().nullable(),
                    specifique_clinique: z.boolean(),
                  }),
                ),
              }),
            },
          },
        },
        ...errorResponses('NOT_FOUND', 'UPSTREAM_FAILED', 'UPSTREAM_TIMEOUT'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      await requireAccount(deps.db, account);
      const { value, cached } = await upstream(() => deps.reference.dictionary(account));
      return c.json({ cached, products: value }, 200);
    },
  );
}
