import type { z } from 'zod';
import { CORRELATION_HEADER, currentCorrelationId } from '../log.ts';

export type UpstreamFailure = 'timeout' | 'network' | 'status' | 'malformed';

/**
 * An outside system did not give a usable answer. `kind` says how, `status` and `body`
 * (truncated) say what it answered; adapters map it onto parked work with a clear reason.
 */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    readonly system: string,
    readonly kind: UpstreamFailure,
    message: string,
    readonly details: { status?: number; body?: string; url?: string } = {},
    options: { cause?: unknown } = {},
  ) {
    super(`${system}: ${message}`, options);
  }

  /** Worth retrying later: timeouts, network errors, 5xx, 429. A 4xx or a malformed answer is not. */
  get retryable(): boolean {
    if (this.kind === 'timeout' || this.kind === 'network') return true;
    if (this.kind === 'status') return (this.details.status ?? 0) >= 500 || this.details.status === 429;
    return false;
  }
}

export interface RequestJsonOptions<S extends z.ZodType | undefined> {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (form, XML...). */
  body?: BodyInit;
  timeoutMs?: number;
  /** Validates the answer; a mismatch is a `malformed` failure naming the fields. */
  schema?: S;
  fetch?: typeof fetch;
}

/**
 * Calls an outside system and returns its JSON answer, validated. Every failure is an
 * UpstreamError naming the system, so logs and parked work say who failed and how.
 *
 * @example
 * const visits = await requestJson('Vetelevage', `${base}/visites`, { schema: VisitBatch, timeoutMs: 10_000 });
 */
export async function requestJson<S extends z.ZodType | undefined = undefined>(
  system: string,
  url: string,
  options: RequestJsonOptions<S> = {},
): Promise<S extends z.ZodType ? z.infer<S> : unknown> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const correlationId = currentCorrelationId();
  if (correlationId) headers[CORRELATION_HEADER] = correlationId;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: options.method ?? 'GET',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut =
      error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw timedOut
      ? new UpstreamError(system, 'timeout', `no answer within ${timeoutMs} ms`, { url }, { cause: error })
      : new UpstreamError(
          system,
          'network',
          `unreachable: ${(error as Error).message}`,
          { url },
          { cause: error },
        );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new UpstreamError(system, 'status', `answered HTTP ${response.status}`, {
      status: response.status,
      body: text.slice(0, 500),
      url,
    });
  }
  if (text === '' && !options.schema) return undefined as never;
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch (error) {
    throw new UpstreamError(system, 'malformed', `answered malformed JSON: ${(error as Error).message}`, {
      status: response.status,
      body: text.slice(0, 500),
      url,
    });
  }
  if (!options.schema) return parsed as never;
  const result = options.schema.safeParse(parsed);
  if (!result.success) {
    const fields = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UpstreamError(system, 'malformed', `answer does not match the contract: ${fields}`, {
      status: response.status,
      body: text.slice(0, 500),
      url,
    });
  }
  return result.data as never;
}
