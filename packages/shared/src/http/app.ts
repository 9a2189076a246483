import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { AppError, type ErrorCode, fieldErrorsOf } from '../errors.ts';
import { CORRELATION_HEADER, type Logger, withCorrelation } from '../log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { PROBLEM_CONTENT_TYPE, problemOf } from './problem.ts';
import { renderReferencePage } from './reference-page.ts';

/** Context variables every route of the platform can read. */
export interface AppEnv {
  Variables: {
    requestId: string;
    correlationId: string;
    logger: Logger;
  };
}

/** A dependency the service needs to do its work; `/readyz` fails while one of them fails. */
export type ReadinessCheck = () => Promise<unknown>;

export interface ServiceAppOptions {
  name: string;
  version?: string;
  description?: string;
  logger: Logger;
  /** Named checks run by `/readyz`, e.g. `{ database: () => db.ping(), bus: () => bus.ping() }`. */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Why the service, although ready, does no work (e.g. no partner configured): `/readyz` then
   * answers 200 with `status: "idle"` and this reason, so pages and probes can tell idle from ready.
   */
  idleReason?: () => string | undefined;
  metrics?: Metrics;
  /** Requests slower than this are always logged at warn level. Default 1 s. */
  slowRequestMs?: number;
}

/** The one validation hook: every bad field, as a JSON pointer, in a 400 problem. */
export const validationHook = (result: { success: boolean; error?: unknown }, _c: Context) => {
  if (!result.success) {
    const error = result.error as { issues: { path: PropertyKey[]; message: string }[] };
    const errors = fieldErrorsOf(error);
    throw new AppError(
      'VALIDATION_FAILED',
      `${errors.length} invalid field(s): ${errors.map((e) => e.path).join(', ')}`,
      {
        errors,
      },
    );
  }
  return undefined;
};

/** Sends a problem+json answer. */
export function problemResponse(
  c: Context<AppEnv>,
  code: ErrorCode,
  detail: string,
  errors = [] as AppError['errors'],
) {
  const body = problemOf(code, detail, c.get('requestId'), errors);
  return c.body(JSON.stringify(body), body.status as 400, { 'content-type': PROBLEM_CONTENT_TYPE });
}

function correlation(): MiddlewareHandler<AppEnv> {
  return async function correlation(c, next) {
    const incoming = c.req.header(CORRELATION_HEADER);
    const id = incoming && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : c.get('requestId');
    c.set('correlationId', id);
    c.header(CORRELATION_HEADER, id);
    await withCorrelation(id, next);
  };
}

function accessLog(logger: Logger, metrics: Metrics, slowMs: number): MiddlewareHandler<AppEnv> {
  return async function accessLog(c, next) {
    const started = performance.now();
    c.set('logger', logger);
    await next();
    const ms = performance.now() - started;
    // The route pattern, not the URL: URLs may carry identifiers that must not reach the logs.
    const route = c.req.routePath || 'unmatched';
    const status = c.res.status;
    metrics.requests.inc({ method: c.req.method, route, status: String(status) });
    metrics.duration.observe({ method: c.req.method, route }, ms / 1000);
    if (route === '/healthz' || route === '/metrics') return;
    const line = {
      method: c.req.method,
      route,
      status,
      durationMs: Math.round(ms),
      requestId: c.get('requestId'),
    };
    if (status >= 500) logger.error(line, 'request failed');
    else if (ms > slowMs) logger.warn(line, 'slow request');
    else logger.info(line, 'request');
  };
}

/**
 * The Hono app every service starts from: request and correlation ids, access log, metrics,
 * one error handler answering `application/problem+json`, `/healthz`, `/readyz`, `/metrics`,
 * `/openapi.json` and a `/reference` page. Routes are added with `app.openapi(createRoute(...))`
 * so that their zod schemas validate input and document the API at once.
 *
 * @example
 * const app = createServiceApp({ name: 'doc-converter', logger, readiness: { bus: () => bus.ping() } });
 * app.openapi(getDocumentRoute, (c) => c.json(...));
 */
export function createServiceApp(options: ServiceAppOptions) {
  const metrics = options.metrics ?? createMetrics(options.name);
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const readiness = options.readiness ?? {};

  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(correlation());
  app.use(accessLog(options.logger, metrics, options.slowRequestMs ?? 1_000));

  app.onError((error, c) => {
    if (error instanceof AppError) return problemResponse(c, error.code, error.detail, error.errors);
    if (error instanceof HTTPException) {
      const code = (Object.entries({
        400: 'BAD_REQUEST',
        401: 'UNAUTHENTICATED',
        403: 'FORBIDDEN',
        404: 'NOT_FOUND',
        413: 'PAYLOAD_TOO_LARGE',
      }).find(([status]) => Number(status) === error.status)?.[1] ?? 'BAD_REQUEST') as ErrorCode;
      return problemResponse(c, code, error.message || 'request refused');
    }
    if (error instanceof SyntaxError)
      return problemResponse(c, 'BAD_REQUEST', `malformed body: ${error.message}`);
    options.logger.error({ err: error, requestId: c.get('requestId') }, 'unexpected error');
    return problemResponse(
      c,
      'INTERNAL',
      `unexpected error; quote request id ${c.get('requestId')} to the operators`,
    );
  });

  app.notFound((c) =>
    problemResponse(c, 'NOT_FOUND', `no route for ${c.req.method} ${new URL(c.req.url).pathname}`),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok', service: options.name }));

  app.get('/readyz', async (c) => {
    const results = await Promise.all(
      Object.entries(readiness).map(async ([name, check]) => {
        try {
          await check();
          return [name, { ok: true }] as const;
        } catch (error) {
          return [
            name,
            { ok: false, error: error instanceof Error ? error.message : String(error) },
          ] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const ready = results.every(([, r]) => r.ok);
    const idle = ready ? options.idleReason?.() : undefined;
    if (idle) return c.json({ status: 'idle', service: options.name, reason: idle, checks }, 200);
    return c.json(
      { status: ready ? 'ready' : 'not ready', service: options.name, checks },
      ready ? 200 : 503,
    );
  });

  app.get('/metrics', async (c) =>
    c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }),
  );

  const documentConfig = {
    openapi: '3.1.0',
    info: {
      title: options.name,
      version: options.version ?? '0.1.0',
      description: options.description ?? '',
    },
  };
  app.doc31('/openapi.json', documentConfig);
  app.get('/reference', (c) =>
    c.html(renderReferencePage(app.getOpenAPI31Document(documentConfig) as never)),
  );

  return app;
}

export type ServiceApp = ReturnType<typeof createServiceApp>;
