import { describe, expect, it } from 'vitest';
import { AppError } from '../src/errors.ts';
import { requireBearer, sameSecret } from '../src/http/bearer.ts';

describe('bearer tokens of partner calls', () => {
  it('compares secrets of any length, equal only when identical', () => {
    expect(sameSecret('s3cret-token', 's3cret-token')).toBe(true);
    expect(sameSecret('s3cret-token', 's3cret-tokeN')).toBe(false);
    expect(sameSecret('s3cret-token', 's3cret-token-longer')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });

  it('accepts the right token and refuses a missing, malformed or wrong one, naming who must present it', () => {
    expect(() => requireBearer('Bearer t0ken-of-livia', 't0ken-of-livia', 'LIVIA')).not.toThrow();
    for (const header of [undefined, 't0ken-of-livia', 'Basic t0ken-of-livia', 'Bearer wrong']) {
      const error = (() => {
        try {
          requireBearer(header, 't0ken-of-livia', 'LIVIA');
        } catch (e) {
          return e;
        }
      })();
      expect(error, String(header)).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('UNAUTHENTICATED');
      expect((error as AppError).message).toBe('LIVIA must present its token (Authorization: Bearer ...)');
    }
  });
});
