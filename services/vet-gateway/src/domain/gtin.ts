/** Why a GTIN was refused, in words an LGCV user can act on. */
export type GtinCheck = { ok: true; gtin14: string } | { ok: false; reason: string };

const LENGTHS = new Set([8, 12, 13, 14]);

/** GS1 check digit of the digits before it: weights 3,1,3,1... from the right. */
export function gtinCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * Validates a GTIN-8/12/13/14 (EAN/UPC) and normalises it to 14 digits, so that the same
 * product sent as EAN-13 by one side and GTIN-14 by the other matches.
 *
 * @example
 * checkGtin('3760123450005') // { ok: true, gtin14: '03760123450005' }
 */
export function checkGtin(raw: string): GtinCheck {
  const value = raw.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(value)) return { ok: false, reason: `GTIN "${raw}" must contain digits only` };
  if (!LENGTHS.has(value.length)) {
    return { ok: false, reason: `GTIN "${raw}" has ${value.length} digits; expected 8, 12, 13 or 14` };
  }
  const expected = gtinCheckDigit(value.slice(0, -1));
  const actual = Number(value.at(-1));
  if (expected !== actual) {
    return { ok: false, reason: `GTIN "${raw}" has check digit ${actual}, expected ${expected}` };
  }
  return { ok: true, gtin14: value.padStart(14, '0') };
}

/** The 14-digit GTIN or null when absent or invalid (an invalid code must not drive a match). */
export function normaliseGtin(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const check = checkGtin(raw);
  return check.ok ? check.gtin14 : null;
}
