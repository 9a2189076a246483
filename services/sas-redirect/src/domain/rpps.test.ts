import { describe, expect, it } from 'vitest';
import { luhnValid, parsePractitioner, practitionerUrn, rppsKey } from './rpps.ts';

describe('attending doctor (RPPS)', () => {
  it('accepts an 11-digit RPPS whose last digit is its Luhn key', () => {
    expect(parsePractitioner('10005681340')).toEqual({
      ok: true,
      rpps: '10005681340',
      nationalId: '810005681340',
    });
  });

  it('accepts the national id "8" + RPPS and the SAS URN', () => {
    expect(parsePractitioner('810005681340')).toMatchObject({ ok: true, rpps: '10005681340' });
    expect(parsePractitioner('urn:oid:1.2.250.1.71.4.2.1|810005681340')).toMatchObject({
      ok: true,
      rpps: '10005681340',
    });
  });

  it('refuses an RPPS with a bad key and names the expected key digit', () => {
    const result = parsePractitioner('10005681341');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain('expected 0');
  });

  it('refuses a URN of another OID and ids that are not RPPS-based', () => {
    expect(parsePractitioner('urn:oid:1.2.250.1.71.4.2.2|810005681340').ok).toBe(false);
    expect(parsePractitioner('010005681340').ok).toBe(false);
    expect(parsePractitioner('1000568134').ok).toBe(false);
    expect(parsePractitioner('abc').ok).toBe(false);
  });

  it('computes Luhn keys that validate', () => {
    const key = rppsKey('1000123456');
    expect(luhnValid(`1000123456${key}`)).toBe(true);
    expect(luhnValid(`1000123456${(Number(key) + 1) % 10}`)).toBe(false);
  });

  it('writes the practitioner URN with "8" before the RPPS', () => {
    expect(practitionerUrn('10005681340')).toBe('urn:oid:1.2.250.1.71.4.2.1|810005681340');
  });
});
