import { createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import type { AppDeps } from '../app.ts';
import { openRejectedVisits, reprocessRejectedVisit } from '../store/rejected.ts';
import { AccountParams, requireAccount } from './params.ts';

const RejectedVisit = z
  .object({
    id: z.number().int(),
    lot: z.string().describe('the Vétélevage batch it came in (DELETEd: the visit is only kept here)'),
    position: z.number().int().describe('position in the batch'),
    visitId: z.string().nullable(),
    problems: z.array(z.object({ path: z.string(), message: z.string() })),
    raw: z.unknown().describe('the visit as Vétélevage sent it'),
    receivedAt: z.string(),
  })
  .openapi('RejectedVisit');

const RejectedParams = AccountParams.extend({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' }, type: 'integer' }),
});

export function registerRejectedVisitRoutes(app: ServiceApp, deps: AppDeps): void {
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{account}/rejected-visits',
      tags: ['Import'],
      summary:
        'Visits that did not match the Vétélevage contract, kept raw with what is wrong (their batch was imported and DELETEd)',
      request: { params: AccountParams },
      responses: {
        200: {
          description: 'Rejected visits, newest first',
          content: { 'application/json': { schema: z.object({ visits: z.array(RejectedVisit) }) } },
        },
        ...errorResponses('NOT_FOUND'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      const rows = await openRejectedVisits(db, await requireAccount(db, account));
      return c.json(
        {
          visits: rows.map((r) => ({
            id: r.id,
            lot: r.lot,
            position: r.position,
            visitId: r.visitId,
            problems: r.problems,
            raw: r.raw,
            receivedAt: r.receivedAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/accounts/{account}/rejected-visits/{id}/reprocess',
      tags: ['Import'],
      summary:
        'Import a rejected visit: as Vétélevage sent it, or corrected (`visit`); 422 naming the fields while it does not match',
      request: {
        params: RejectedParams,
        body: {
          content: {
            'application/json': {
              schema: z.object({
                visit: z.record(z.string(), z.unknown()).optional().describe('the corrected visit'),
              }),
            },
          },
          required: false,
        },
      },
      responses: {
        200: {
          description: 'Stored and published like an imported visit',
          content: {
            'application/json': {
              schema: z.object({
                visitId: z.string(),
                outcome: z.enum(['imported', 'updated', 'unchanged']),
              }),
            },
          },
        },
        ...errorResponses('NOT_FOUND', 'UNPROCESSABLE'),
      },
    }),
    async (c) => {
      const { account, id } = c.req.valid('param');
      const row = await requireAccount(db, account);
      const result = await reprocessRejectedVisit(db, row, id, c.req.valid('json').visit);
      deps.relay.kick();
      return c.json(result, 200);
    },
  );
}
