import { describe, expect, it } from 'vitest';
import { checkGtin, gtinCheckDigit, normaliseGtin } from './gtin.ts';

describe('GTIN validation and normalisation', () => {
  it('computes the GS1 check digit', () => {
    expect(gtinCheckDigit('400638133393')).toBe(1); // EAN-13 4006381333931
    expect(gtinCheckDigit('9638507')).toBe(4); // EAN-8 96385074
  });

  it('normalises GTIN-8, -12, -13 and -14 to 14 digits', () => {
    expect(checkGtin('96385074')).toEqual({ ok: true, gtin14: '00000096385074' });
    expect(checkGtin('036000291452')).toEqual({ ok: true, gtin14: '00036000291452' });
    expect(checkGtin('4006381333931')).toEqual({ ok: true, gtin14: '04006381333931' });
    expect(checkGtin('04006381333931')).toEqual({ ok: true, gtin14: '04006381333931' });
  });

  it('accepts spaces and dashes as printed on boxes', () => {
    expect(checkGtin('4 006381 333931')).toEqual({ ok: true, gtin14: '04006381333931' });
  });

  it('refuses a wrong check digit and says which digit was expected', () => {
    expect(checkGtin('4006381333932')).toEqual({
      ok: false,
      reason: 'GTIN "4006381333932" has check digit 2, expected 1',
    });
  });

  it('refuses lengths other than 8, 12, 13, 14 and non-digits', () => {
    expect(checkGtin('12345')).toMatchObject({ ok: false, reason: expect.stringContaining('5 digits') });
    expect(checkGtin('40063813339X1')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('digits only'),
    });
  });

  it('gives no normalised GTIN for an absent or invalid one', () => {
    expect(normaliseGtin(null)).toBeNull();
    expect(normaliseGtin('4006381333932')).toBeNull();
    expect(normaliseGtin('4006381333931')).toBe('04006381333931');
  });
});
