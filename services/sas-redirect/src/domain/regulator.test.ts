import { describe, expect, it } from 'vitest';
import { regulatorFromClaims } from './regulator.ts';

describe('regulator from Pro Santé Connect claims', () => {
  it('takes the national id from SubjectNameID and the profession from SubjectRefPro', () => {
    expect(
      regulatorFromClaims({
        sub: 'f:abc',
        SubjectNameID: '810005681340',
        given_name: 'Pauline',
        family_name: 'RICART',
        SubjectRefPro: { exercices: [{ codeProfession: '10', codeSavoirFaire: 'SM54', activities: [] }] },
      }),
    ).toEqual({
      nationalId: '810005681340',
      profession: '10',
      specialty: 'SM54',
      displayName: 'Pauline RICART',
    });
  });

  it('refuses claims without a national id', () => {
    expect(regulatorFromClaims({ sub: 'x', given_name: 'A' })).toEqual({
      error: expect.stringContaining('SubjectNameID'),
    });
    expect(regulatorFromClaims({ sub: 'x', preferred_username: '810005681340' })).toEqual({
      error: expect.stringContaining('SubjectNameID'),
    });
  });

  it('accepts a regulator without practice (no profession)', () => {
    expect(regulatorFromClaims({ SubjectNameID: '0123', SubjectRefPro: { exercices: [] } })).toEqual({
      nationalId: '0123',
    });
  });
});
