import { describe, expect, it } from 'vitest';
import { makeVisits } from '../../sim/catalogue.ts';
import { foreignVisits } from './comptes.ts';

describe('visits of a veterinarian-mode account', () => {
  it('names the visits, valid or rejected, tagged with another account', () => {
    const [mine, theirs] = makeVisits('acc-a', 2, { seed: 's' });
    if (!mine || !theirs) throw new Error('no visits');
    const batch = {
      lot: 'L',
      visites: [mine, { ...theirs, compte: 'acc-b' }],
      rejected: [
        { position: 2, visitId: null, compte: 'acc-c', raw: {}, problems: [] },
        { position: 3, visitId: 'v-4', compte: null, raw: {}, problems: [] },
      ],
    };
    expect(foreignVisits('acc-a', batch)).toEqual([`${theirs.id} -> acc-b`, '#2 -> acc-c']);
    expect(foreignVisits('acc-a', { ...batch, visites: [mine], rejected: [] })).toEqual([]);
  });
});
