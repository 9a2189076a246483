import { AppError, createRoute, errorResponses, type ServiceApp, z } from '@hip/shared';
import type { AppDeps } from '../app.ts';
import { duplicateActCodes } from '../domain/acts.ts';
import { setActList } from '../store/acts.ts';
import { AccountParams, requireAccount } from './params.ts';

const ActSchema = z.object({
  code: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .describe('unique code chosen by the LGCV; Vétélevage returns it in visits'),
  label: z.string().trim().min(1).max(200),
});
const ActListBody = z.object({ acts: z.array(ActSchema).max(2000) }).openapi('ActList');
const PushResult = z
  .object({ status: z.string(), error: z.string().optional(), differences: z.array(z.string()).optional() })
  .openapi('ActPushResult');

export function registerActRoutes(app: ServiceApp, deps: AppDeps): void {
  app.openapi(
    createRoute({
      method: 'put',
      path: '/accounts/{account}/acts',
      tags: ['Acts'],
      summary:
        'Replace the LGCV act list of the account; pushed to Vétélevage when it changed, then verified',
      description:
        'A list with a duplicate code is refused (422) before anything is sent: Vétélevage returns the code in visits, so it must be unique.',
      request: {
        params: AccountParams,
        body: { content: { 'application/json': { schema: ActListBody } }, required: true },
      },
      responses: {
        200: { description: 'Stored; push result', content: { 'application/json': { schema: PushResult } } },
        ...errorResponses('NOT_FOUND', 'UNPROCESSABLE'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      const { acts } = c.req.valid('json');
      await requireAccount(deps.db, account);
      const duplicates = duplicateActCodes(acts);
      if (duplicates.length > 0)
        throw new AppError(
          'UNPROCESSABLE',
          `act list refused: ${duplicates.map((d) => d.message).join('; ')}`,
          { errors: duplicates },
        );
      await setActList(deps.db, account, acts);
      deps.relay.kick();
      return c.json(await deps.acts.pushIfDue(account), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/accounts/{account}/acts',
      tags: ['Acts'],
      summary: 'The LGCV act list held here and what Vétélevage holds (GET /actes)',
      request: { params: AccountParams },
      responses: {
        200: {
          description: 'Both lists',
          content: {
            'application/json': {
              schema: z.object({
                lgcv: z.array(ActSchema).nullable(),
                vetelevage: z.array(ActSchema),
                pushedAt: z.string().nullable(),
              }),
            },
          },
        },
        ...errorResponses('NOT_FOUND', 'UPSTREAM_FAILED'),
      },
    }),
    async (c) => {
      const { account } = c.req.valid('param');
      const row = await requireAccount(deps.db, account);
      const { session, compte } = await deps.sessions.forAccount(account);
      const held = await upstream(() => session.getActs(compte));
      return c.json(
        {
          lgcv: row.acts,
          vetelevage: held.map((a) => ({ code: a.code, label: a.libelle })),
          pushedAt: row.actsPushedAt?.toISOString() ?? null,
        },
        200,
      );
    },
  );
}

/** Vétélevage failures answered as 502/504 problems naming the system. */
export async function upstream<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const e = error as { name?: string; kind?: string; message?: string };
    if (e.name === 'UpstreamError')
      throw new AppError(
        e.kind === 'timeout' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_FAILED',
        e.message ?? 'Vétélevage failed',
        { cause: error },
      );
    throw error;
  }
}
