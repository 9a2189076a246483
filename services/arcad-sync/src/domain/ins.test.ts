import { describe, expect, it } from 'vitest';
import { insKey, insProblem, matriculeProblem, withInsKey } from './ins.ts';

describe('INS matricule', () => {
  it('accepts a matricule whose key is 97 minus the NIR modulo 97', () => {
    expect(insKey('2550875056010')).toBe(97 - Number(2550875056010n % 97n));
    expect(matriculeProblem(withInsKey('2550875056010'))).toBeNull();
  });

  it('refuses a wrong key and says which one is right', () => {
    const good = withInsKey('1840375116012');
    const bad = `${good.slice(0, 13)}${String((Number(good.slice(13)) % 97) + 1).padStart(2, '0')}`;
    expect(matriculeProblem(bad)).toMatch(/key .* is wrong \(mod-97 key is \d{2}\)/);
  });

  it('computes the Corsican keys with 2A as 19 and 2B as 18', () => {
    expect(insKey('180022A004012')).toBe(97 - Number(1800219004012n % 97n));
    expect(insKey('180022B004012')).toBe(97 - Number(1800218004012n % 97n));
    expect(matriculeProblem(withInsKey('180022A004012'))).toBeNull();
    expect(matriculeProblem(withInsKey('180022B004012'))).toBeNull();
    // The 2A key does not validate the same number written 2B.
    expect(matriculeProblem(`180022B004012${withInsKey('180022A004012').slice(13)}`)).toMatch(/wrong/);
  });

  it('refuses a wrong length or shape', () => {
    expect(matriculeProblem('12345')).toMatch(/15 characters, got 5/);
    expect(matriculeProblem('9550875056010AB')).toMatch(/sex digit/);
    expect(matriculeProblem('255082C05601066')).toMatch(/department/);
  });
});

describe('INS identity status', () => {
  it('accepts the four statuses of the national reference', () => {
    for (const status of ['PROV', 'VALI'])
      expect(insProblem({ status, matricule: withInsKey('2550875056010') })).toBeNull();
    expect(insProblem({ status: 'QUAL', matricule: withInsKey('2550875056010') })).toBeNull();
    expect(insProblem({ status: 'PROV' })).toBeNull();
  });

  it('refuses an unknown status', () => {
    expect(insProblem({ status: 'VALIDE', matricule: withInsKey('2550875056010') })).toMatch(
      /PROV, RECUP, VALI, QUAL/,
    );
  });

  it('requires the matricule for retrieved (RECUP) and qualified (QUAL) identities', () => {
    expect(insProblem({ status: 'QUAL' })).toMatch(/QUAL requires the INS matricule/);
    expect(insProblem({ status: 'RECUP', matricule: '' })).toMatch(/RECUP requires/);
  });

  it('lets a resident without INS through', () => {
    expect(insProblem(undefined)).toBeNull();
  });
});
