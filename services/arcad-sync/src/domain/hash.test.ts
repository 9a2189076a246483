import { describe, expect, it } from 'vitest';
import { payloadHash } from './hash.ts';

describe('payload hash', () => {
  it('ignores key order and differs when a value changes', async () => {
    const a = await payloadHash({ b: 1, a: { y: 2, x: [1, 2] } });
    expect(a).toBe(await payloadHash({ a: { x: [1, 2], y: 2 }, b: 1 }));
    expect(a).not.toBe(await payloadHash({ a: { x: [1, 2], y: 3 }, b: 1 }));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});
