import { describe, expect, it } from 'vitest';
import { normalizeAddress, splitOneLineAddress } from './address.ts';
import { checkInseeCode, districtFromPostalCode } from './insee.ts';

describe('patient address (SAS rules)', () => {
  it('keeps the four fields, the street number reduced to its digits', () => {
    expect(
      normalizeAddress({
        streetnumber: '12 bis',
        streetname: 'rue de la Paix',
        inseecode: '44109',
        city: 'Nantes',
      }),
    ).toEqual({
      ok: true,
      address: { streetnumber: '12', streetname: 'rue de la Paix', inseecode: '44109', city: 'Nantes' },
    });
  });

  it('refuses a street number without street name (the SAS would show its home page)', () => {
    const r = normalizeAddress({ streetnumber: '12', inseecode: '44109' });
    expect(r).toMatchObject({ ok: false, problems: [{ field: 'streetname' }] });
  });

  it('refuses an address with no resolvable city', () => {
    expect(normalizeAddress({ streetname: 'rue de la Paix' })).toMatchObject({
      ok: false,
      problems: [{ field: 'city' }],
    });
    expect(normalizeAddress({})).toMatchObject({ ok: false });
  });

  it('accepts a city alone, or an INSEE code alone', () => {
    expect(normalizeAddress({ city: 'Nantes' })).toEqual({ ok: true, address: { city: 'Nantes' } });
    expect(normalizeAddress({ inseecode: '2A004' })).toEqual({ ok: true, address: { inseecode: '2A004' } });
  });

  it('refuses a malformed INSEE code', () => {
    expect(normalizeAddress({ inseecode: '4410', city: 'Nantes' })).toMatchObject({
      ok: false,
      problems: [{ field: 'inseecode' }],
    });
    expect(checkInseeCode('20004').ok).toBe(false);
  });

  it('resolves Paris, Lyon and Marseille district codes and names the city', () => {
    expect(checkInseeCode('75105')).toEqual({ ok: true, code: '75105', cityName: 'Paris 5e Arrondissement' });
    expect(checkInseeCode('69381')).toEqual({ ok: true, code: '69381', cityName: 'Lyon 1er Arrondissement' });
    expect(checkInseeCode('13216')).toEqual({
      ok: true,
      code: '13216',
      cityName: 'Marseille 16e Arrondissement',
    });
    expect(checkInseeCode('75056')).toMatchObject({ ok: true, cityName: 'Paris' });
    expect(normalizeAddress({ inseecode: '75120' })).toEqual({
      ok: true,
      address: { inseecode: '75120', city: 'Paris 20e Arrondissement' },
    });
  });

  it('refuses district codes that do not exist', () => {
    expect(checkInseeCode('75121').ok).toBe(false);
    expect(checkInseeCode('69380').ok).toBe(false);
    expect(checkInseeCode('13217').ok).toBe(false);
  });

  it('splits a one-line address, mapping PLM postal codes to district INSEE codes', () => {
    expect(splitOneLineAddress('12 bis rue de la Paix, 75002 Paris')).toEqual({
      streetnumber: '12',
      streetname: 'rue de la Paix',
      inseecode: '75102',
      city: 'Paris',
    });
    expect(splitOneLineAddress('3 place Bellecour 69002 Lyon')).toMatchObject({ inseecode: '69382' });
    expect(splitOneLineAddress('rue du Port, 44000 Nantes')).toEqual({
      streetname: 'rue du Port',
      city: 'Nantes',
    });
    expect(districtFromPostalCode('75116')?.code).toBe('75116');
    expect(districtFromPostalCode('13008')?.code).toBe('13208');
  });

  it('splits a one-line address without postal code, or without street, and a number range', () => {
    expect(normalizeAddress({ address: '12 rue de la Paix, Nantes' })).toEqual({
      ok: true,
      address: { streetnumber: '12', streetname: 'rue de la Paix', city: 'Nantes' },
    });
    expect(normalizeAddress({ address: '44000 Nantes' })).toEqual({ ok: true, address: { city: 'Nantes' } });
    expect(normalizeAddress({ address: '13001 Marseille' })).toEqual({
      ok: true,
      address: { inseecode: '13201', city: 'Marseille' },
    });
    expect(splitOneLineAddress('12-14 rue X, 13001 Marseille')).toEqual({
      streetnumber: '12',
      streetname: 'rue X',
      inseecode: '13201',
      city: 'Marseille',
    });
  });

  it('passes a one-line address with neither number nor postal code as the city, in free text', () => {
    expect(normalizeAddress({ address: 'Saint-Herblain' })).toEqual({
      ok: true,
      address: { city: 'Saint-Herblain' },
    });
  });

  it('refuses a one-line address it cannot split, and one given with the four fields', () => {
    expect(normalizeAddress({ address: '12 rue de la Paix Nantes' })).toMatchObject({
      ok: false,
      problems: [{ field: 'address' }],
    });
    expect(normalizeAddress({ address: '1 rue A, 44000 Nantes', city: 'Nantes' })).toMatchObject({
      ok: false,
      problems: [{ field: 'address' }],
    });
  });

  it('names a postal code with a digit too few or too many instead of "no city found"', () => {
    expect(normalizeAddress({ address: '12 rue de la Paix, 7500 Paris' })).toMatchObject({
      ok: false,
      problems: [
        {
          field: 'address',
          message: 'postal code "7500" must have 5 digits',
          refusal: { rule: 'postal-code-length', value: '7500' },
        },
      ],
    });
    expect(normalizeAddress({ address: '440000 Nantes' })).toMatchObject({
      problems: [{ refusal: { rule: 'postal-code-length', value: '440000' } }],
    });
  });
});
