import { describe, expect, it } from 'vitest';
import { suggestMatches } from './suggest.ts';

const catalogue = [
  { lgcvId: 'LG-1', name: 'OXYTETRACYCLINE 10 % injectable 100 ml', gtin14: '04006381333931' },
  { lgcvId: 'LG-2', name: 'Oxytétracycline 20% LA', gtin14: null },
  { lgcvId: 'LG-3', name: 'Vaccin entérotoxémie', gtin14: null },
];

describe('mapping suggestions', () => {
  it('suggests the catalogue product with the same GTIN first', () => {
    const s = suggestMatches({ gtin14: '04006381333931', label: 'Tout autre nom' }, catalogue);
    expect(s[0]).toEqual({ lgcvId: 'LG-1', name: catalogue[0]?.name, reason: 'gtin', score: 1 });
  });

  it('falls back to the name, ignoring case and accents, for a product without GTIN', () => {
    const s = suggestMatches({ gtin14: null, label: 'Oxytetracycline 20 % LA' }, catalogue);
    expect(s[0]).toMatchObject({ lgcvId: 'LG-2', reason: 'name' });
    expect(s.some((x) => x.lgcvId === 'LG-3')).toBe(false);
  });

  it('suggests nothing when no name is close enough', () => {
    expect(suggestMatches({ gtin14: null, label: 'Pommade maison' }, catalogue)).toEqual([]);
  });
});
