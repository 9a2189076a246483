import { AppError, createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import { VetVisitLinesSchema } from '@hip/shared/schemas';
import type { AppDeps } from '../app.ts';
import { linesOfVisits } from '../store/billing.ts';
import { AccountParams, requireAccount } from './params.ts';

export function registerVisitRoutes(app: ServiceApp, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{account}/visits',
      tags: ['Billing'],
      summary: 'Imported visits with their billing lines, newest first',
      request: {
        params: AccountParams,
        query: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: {
        200: {
          description: 'Visits',
          content: {
            'application/json': {
              schema: z.object({ visits: z.array(VetVisitLinesSchema.openapi('VisitLines')) }),
            },
          },
        },
        ...errorResponses('NOT_FOUND'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      const { limit, offset } = c.req.valid('query');
      await requireAccount(deps.db, account);
      return c.json({ visits: await linesOfVisits(deps.db, account, { limit, offset }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{account}/visits/{visitId}/lines',
      tags: ['Billing'],
      summary: 'Billing lines of one visit, with the mappings known now',
      request: {
        params: AccountParams.extend({
          visitId: z
            .string()
            .min(1)
            .max(100)
            .openapi({ param: { name: 'visitId', in: 'path' } }),
        }),
      },
      responses: {
        200: { description: 'Lines', content: { 'application/json': { schema: VetVisitLinesSchema } } },
        ...errorResponses('NOT_FOUND'),
      },
    }),
    async (c) => {
      const { account, visitId } = c.req.valid('param');
      await requireAccount(deps.db, account);
      const [visit] = await linesOfVisits(deps.db, account, { visitIds: [visitId], limit: 1 });
      if (!visit) throw new AppError('NOT_FOUND', `visit ${visitId} of account ${account} was not imported`);
      return c.json(visit, 200);
    },
  );
}
