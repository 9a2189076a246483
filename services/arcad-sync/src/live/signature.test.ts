import { describe, expect, it } from 'vitest';
import { signatureProblem, signWebhook } from './signature.ts';

describe('ARCAD360 webhook signatures', () => {
  const now = 1_790_000_000;
  it('accepts what was signed with the shared secret, within 300 s', async () => {
    const header = await signWebhook('s3cret-s3cret-s3cret', '{"a":1}', now);
    expect(await signatureProblem('s3cret-s3cret-s3cret', header, '{"a":1}', now + 299)).toBeNull();
  });
  it('refuses another secret, another body, an old or a malformed signature', async () => {
    const header = await signWebhook('s3cret-s3cret-s3cret', '{"a":1}', now);
    expect(await signatureProblem('other-other-other-other', header, '{"a":1}', now)).toMatch(
      /does not match/,
    );
    expect(await signatureProblem('s3cret-s3cret-s3cret', header, '{"a":2}', now)).toMatch(/does not match/);
    expect(await signatureProblem('s3cret-s3cret-s3cret', header, '{"a":1}', now + 301)).toMatch(/timestamp/);
    expect(await signatureProblem('s3cret-s3cret-s3cret', 'v1=abc', '{"a":1}', now)).toMatch(/malformed/);
    expect(await signatureProblem('s3cret-s3cret-s3cret', undefined, '{"a":1}', now)).toMatch(/missing/);
  });
});
