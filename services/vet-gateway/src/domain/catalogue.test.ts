import { describe, expect, it } from 'vitest';
import { duplicateProductIds } from './catalogue.ts';

describe('LGCV catalogue', () => {
  it('names each duplicate product id with the position of its first occurrence', () => {
    expect(duplicateProductIds([{ id: 'A' }, { id: 'B' }, { id: 'A' }, { id: 'A' }])).toEqual([
      { path: '/products/2/id', message: 'duplicate product id "A" (already at /products/0/id)' },
      { path: '/products/3/id', message: 'duplicate product id "A" (already at /products/0/id)' },
    ]);
    expect(duplicateProductIds([{ id: 'A' }, { id: 'B' }])).toEqual([]);
  });
});
