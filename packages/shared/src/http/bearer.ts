import { AppError } from '../errors.ts';

/** Constant-time comparison of two secrets: the time taken says nothing about where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/**
 * Checks `Authorization: Bearer <token>` of a partner's call; throws UNAUTHENTICATED (401) naming
 * who must present it.
 *
 * @example
 * requireBearer(c.req.header('authorization'), deps.liviaToken, 'LIVIA');
 */
export function requireBearer(authorization: string | undefined, expected: string, who: string): void {
  const given = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
  if (given === undefined || !sameSecret(given, expected))
    throw new AppError('UNAUTHENTICATED', `${who} must present its token (Authorization: Bearer ...)`);
}
