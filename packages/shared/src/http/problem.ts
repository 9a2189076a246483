import { z } from '@hono/zod-openapi';
import { type ErrorCode, errorCodes, type FieldError } from '../errors.ts';

/** RFC 9457 problem details, the body of every error answer of the platform. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/validation-failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');
export type Problem = z.infer<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemOf(
  code: ErrorCode,
  detail: string,
  requestId?: string,
  errors: FieldError[] = [],
): Problem {
  const entry = errorCodes[code];
  return {
    type: `/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: entry.title,
    status: entry.status,
    detail,
    code,
    ...(requestId ? { requestId } : {}),
    ...(errors.length > 0 ? { errors } : {}),
  };
}

/**
 * OpenAPI responses for the error codes a route can answer, read from the one code table.
 *
 * @example
 * createRoute({ ..., responses: { 200: ok, ...errorResponses('NOT_FOUND') } })
 */
export function errorResponses(...codes: ErrorCode[]) {
  const all: ErrorCode[] = ['VALIDATION_FAILED', 'INTERNAL', ...codes];
  const byStatus: Record<
    number,
    { description: string; content: Record<string, { schema: typeof ProblemSchema }> }
  > = {};
  for (const code of all) {
    const { status, title } = errorCodes[code];
    const existing = byStatus[status];
    byStatus[status] = {
      description: existing ? `${existing.description}; ${title} (${code})` : `${title} (${code})`,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
    };
  }
  return byStatus;
}
