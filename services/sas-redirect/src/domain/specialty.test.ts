import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSpecialty, parseSpecialtyCsv, specialtyParam } from './specialty.ts';

const table = parseSpecialtyCsv(
  readFileSync(new URL('../../data/TRE_R38-SpecialiteOrdinale.csv', import.meta.url), 'utf8'),
);

describe('specialty (TRE_R38)', () => {
  it('loads the ANS table shipped with the service', () => {
    expect(table.get('SM54')).toBe('Médecine générale (SM)');
    expect(table.size).toBeGreaterThan(80);
  });

  it('turns a known bare code into the TRE_R38 URN', () => {
    const s = parseSpecialty('sm54', table);
    expect(s).toEqual({ kind: 'code', code: 'SM54', label: 'Médecine générale (SM)' });
    expect(specialtyParam(s)).toBe('urn:oid:1.2.250.1.213.2.28|SM54');
  });

  it('accepts a specialty already given as URN', () => {
    expect(parseSpecialty('urn:oid:1.2.250.1.213.2.28|SM26', table)).toMatchObject({
      kind: 'code',
      code: 'SM26',
    });
  });

  it('passes unknown codes and words as free text, as the SAS does', () => {
    expect(specialtyParam(parseSpecialty('SM99', table))).toBe('SM99');
    expect(specialtyParam(parseSpecialty('pédiatrie', table))).toBe('pédiatrie');
  });

  it('leaves the parameter out when empty: the SAS defaults to general medicine', () => {
    expect(specialtyParam(parseSpecialty('  ', table))).toBeUndefined();
    expect(specialtyParam(parseSpecialty(undefined, table))).toBeUndefined();
  });

  it('loads a newer export with more columns by header name, and refuses a file without them', () => {
    const newer = parseSpecialtyCsv('"Code";"Libelle";"Date fin"\r\n"SM99";"Nouvelle (SM)";""\r\n');
    expect(newer.get('SM99')).toBe('Nouvelle (SM)');
    expect(() => parseSpecialtyCsv('a;b\n1;2')).toThrow(/code/);
  });
});
