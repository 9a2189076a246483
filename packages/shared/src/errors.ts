import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Every machine error code of the platform and its HTTP status, in one table: the error
 * handler and the OpenAPI error responses both read it, so they cannot drift.
 */
export const errorCodes = {
  VALIDATION_FAILED: { status: 400, title: 'Request validation failed' },
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CONFLICT: { status: 409, title: 'Conflict' },
  GONE: { status: 410, title: 'Gone' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  UNPROCESSABLE: { status: 422, title: 'Unprocessable content' },
  LOCKED: { status: 423, title: 'Locked' },
  UPSTREAM_FAILED: { status: 502, title: 'Upstream system failed' },
  UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  UPSTREAM_TIMEOUT: { status: 504, title: 'Upstream system timed out' },
  INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** One bad field: a JSON path (RFC 6901 pointer) and what is wrong with it. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The platform's error: a machine code, a human detail, and optionally the bad fields.
 *
 * @example
 * throw new AppError('FORBIDDEN', `origin "${origin}" is not a configured LRM`);
 */
export class AppError extends HTTPException {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly detail: string;
  readonly errors: FieldError[];

  constructor(code: ErrorCode, detail: string, options: { errors?: FieldError[]; cause?: unknown } = {}) {
    super(errorCodes[code].status, { message: detail, cause: options.cause });
    this.code = code;
    this.detail = detail;
    this.errors = options.errors ?? [];
  }
}

/** A zod-style path as an RFC 6901 JSON pointer: ["patient", "birthDate"] -> "/patient/birthDate". */
export function toJsonPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** Field errors from a zod error, in the shape every error body uses. */
export function fieldErrorsOf(error: {
  issues: { path: readonly PropertyKey[]; message: string }[];
}): FieldError[] {
  return error.issues.map((i) => ({ path: toJsonPointer(i.path) || '/', message: i.message }));
}

/** The message of anything thrown, for logs and parked-work reasons. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
