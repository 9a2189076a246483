export { createRoute, z } from '@hono/zod-openapi';
export * from './bus/index.ts';
export * from './config.ts';
export * from './db/index.ts';
export * from './errors.ts';
export {
  type AppEnv,
  createServiceApp,
  problemResponse,
  type ReadinessCheck,
  type ServiceApp,
  validationHook,
} from './http/app.ts';
export { requireBearer, sameSecret } from './http/bearer.ts';
export { type RequestJsonOptions, requestJson, UpstreamError, type UpstreamFailure } from './http/client.ts';
export { createMetrics, type Metrics } from './http/metrics.ts';
export {
  errorResponses,
  PROBLEM_CONTENT_TYPE,
  type Problem,
  ProblemSchema,
  problemOf,
} from './http/problem.ts';
export * from './log.ts';
export * from './periodic.ts';
export * from './service.ts';
export { type Flash, redirectWithFlash, takeFlash } from './ui/flash.ts';
export { AdminLayout, StatusBadge, Timestamp } from './ui/layout.tsx';
export { DISPLAY_TIME_ZONE, formatTimestamp } from './ui/time.ts';
