import { AppError, createRoute, errorResponses, requireBearer, type ServiceApp, z } from '@hip/shared';
import type { AppDeps } from '../../deps.ts';
import type { ContextProblem } from '../../domain/refusal.ts';
import { checkedContext, launch } from './launch.ts';
import { normalizedView } from './normalized.ts';
import { SearchRefusedError } from './refused.ts';
import {
  ContextBodySchema,
  LaunchSchema,
  RedeemedContextSchema,
  SEARCH_PARAMETERS,
  SearchQuerySchema,
} from './schemas.ts';
import { meantParameter, unknownParameterMessage } from './unknown-params.ts';

const redirectResponse = {
  302: {
    description:
      'to the SAS results page (plain parameters or token), or to the Pro Santé Connect login first',
    headers: z.object({ Location: z.string() }),
  },
};

const searchRoute = createRoute({
  method: 'get',
  path: '/search',
  summary: 'LRM button: check the context and redirect the regulator to the SAS results page',
  request: { query: SearchQuerySchema },
  responses: { ...redirectResponse, ...errorResponses('FORBIDDEN', 'UNPROCESSABLE', 'UPSTREAM_FAILED') },
});

const createContextRoute = createRoute({
  method: 'post',
  path: '/contexts',
  summary: 'LRM server: prepare a search (and booking data) and get a launch URL without patient data',
  security: [{ bearer: [] }],
  request: { body: { required: true, content: { 'application/json': { schema: ContextBodySchema } } } },
  responses: {
    201: { description: 'prepared', content: { 'application/json': { schema: LaunchSchema } } },
    ...errorResponses('UNAUTHENTICATED', 'FORBIDDEN', 'UNPROCESSABLE', 'UNAVAILABLE'),
  },
});

const launchRoute = createRoute({
  method: 'get',
  path: '/launch/{id}',
  summary: 'Browser: open a prepared search (single use)',
  request: { params: z.object({ id: z.string().min(16).max(64) }) },
  responses: { ...redirectResponse, ...errorResponses('NOT_FOUND', 'GONE', 'UPSTREAM_FAILED') },
});

const redeemRoute = createRoute({
  method: 'get',
  path: '/contexts/{token}',
  summary: 'SAS server: redeem a token-mode context (single use, 60 s, bearer authenticated)',
  security: [{ bearer: [] }],
  request: { params: z.object({ token: z.string().min(10).max(2048) }) },
  responses: {
    200: { description: 'the context', content: { 'application/json': { schema: RedeemedContextSchema } } },
    ...errorResponses('UNAUTHENTICATED', 'NOT_FOUND', 'GONE'),
  },
});

/**
 * The platform's validation answer (400, one entry per field), with the rule of each field kept
 * for the regulator's French page.
 */
function searchValidationHook(result: { success: boolean; error?: unknown }) {
  if (result.success) return undefined;
  const issues = (
    result.error as { issues: { path: PropertyKey[]; code?: string; maximum?: unknown; message: string }[] }
  ).issues;
  const problems = issues.map((issue): ContextProblem => {
    const field = issue.path.map(String).join('.') || 'query';
    return {
      field,
      message: issue.message,
      refusal:
        issue.code === 'too_big' && typeof issue.maximum === 'number'
          ? { rule: 'too-long', max: issue.maximum }
          : { rule: 'invalid-parameter' },
    };
  });
  throw new SearchRefusedError(
    'VALIDATION_FAILED',
    `${problems.length} invalid field(s): ${problems.map((p) => `/${p.field}`).join(', ')}`,
    problems,
  );
}

export function registerSearchRoutes(app: ServiceApp, deps: AppDeps) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

  app.openapi(
    searchRoute,
    async (c) => {
      const misspelled = Object.keys(c.req.queries()).flatMap((name): ContextProblem[] => {
        const meant = meantParameter(name, SEARCH_PARAMETERS);
        return meant
          ? [
              {
                field: name,
                message: unknownParameterMessage(name, SEARCH_PARAMETERS),
                refusal: { rule: 'misspelled-parameter', name, meant },
              },
            ]
          : [];
      });
      if (misspelled.length) {
        throw new SearchRefusedError('BAD_REQUEST', misspelled.map((e) => e.message).join('; '), misspelled);
      }
      const context = checkedContext(deps, c.req.valid('query'));
      return launch(c, deps, { context }) as never;
    },
    searchValidationHook,
  );

  app.openapi(createContextRoute, async (c) => {
    const { lrmApiKey } = deps.settings;
    if (lrmApiKey !== undefined) requireBearer(c.req.header('authorization'), lrmApiKey, 'the LRM');
    const body = c.req.valid('json');
    const context = checkedContext(deps, body);
    const mode = body.booking ? 'token' : (body.mode ?? deps.settings.redirectMode);
    if (mode === 'token' && !deps.settings.sasContextApiKey) {
      throw new AppError(
        'UNAVAILABLE',
        `the token mode${body.booking ? ' (used for booking data)' : ''} is disabled: SAS_CONTEXT_API_KEY is not configured, the SAS could not fetch the context`,
      );
    }
    const { id, expiresAt } = await deps.contexts.createLaunch({
      context,
      ...(body.booking ? { booking: body.booking } : {}),
      mode,
    });
    return c.json(
      {
        id,
        launchUrl: new URL(`/launch/${id}`, deps.settings.publicBaseUrl).toString(),
        expiresAt: expiresAt.toISOString(),
        mode,
        context: normalizedView(context),
      },
      201,
    );
  });

  app.openapi(launchRoute, async (c) => {
    const taken = await deps.contexts.takeLaunch(c.req.valid('param').id);
    if (!taken.ok) {
      if (taken.reason === 'invalid') throw new AppError('NOT_FOUND', 'no prepared search with this id');
      throw new AppError(
        'GONE',
        `this prepared search was already ${taken.reason === 'used' ? 'used' : 'left to expire'}; launch it again from the LRM`,
      );
    }
    return launch(c, deps, taken.stored, taken.stored.mode) as never;
  });

  app.openapi(redeemRoute, async (c) => {
    if (!deps.settings.sasContextApiKey) {
      throw new AppError(
        'UNAUTHENTICATED',
        'token redemption is disabled: SAS_CONTEXT_API_KEY is not configured',
      );
    }
    const { sasContextApiKey } = deps.settings;
    if (sasContextApiKey !== undefined)
      requireBearer(c.req.header('authorization'), sasContextApiKey, 'the SAS');
    const result = await deps.contexts.redeemToken(c.req.valid('param').token);
    c.header('Cache-Control', 'no-store');
    if (!result.ok) {
      if (result.reason === 'invalid') throw new AppError('NOT_FOUND', 'unknown or forged context token');
      throw new AppError(
        'GONE',
        `context token ${result.reason === 'used' ? 'already redeemed (single use)' : 'expired'}`,
      );
    }
    const { context, booking, regulator } = result.stored;
    return c.json(
      { ...normalizedView(context), ...(booking ? { booking } : {}), ...(regulator ? { regulator } : {}) },
      200,
    );
  });
}
