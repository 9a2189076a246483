import { describe, expect, it } from 'vitest';
import { withoutNulCharacters } from '../src/db/storable.ts';

describe('partner JSON made storable in Postgres', () => {
  it('replaces NUL by U+FFFD in every string, key and nested value, and leaves the rest as is', () => {
    const input = {
      name: 'Pr\u0000e',
      'k\u0000': [1, null, true, 'a\u0000b\u0000', { deep: ['\u0000'] }],
      clean: 'Élevage 12',
    };
    expect(withoutNulCharacters(input)).toEqual({
      name: 'Pr\uFFFDe',
      'k\uFFFD': [1, null, true, 'a\uFFFDb\uFFFD', { deep: ['\uFFFD'] }],
      clean: 'Élevage 12',
    });
    expect(input.name).toBe('Pr\u0000e');
  });
});
