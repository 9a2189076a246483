import type { Refusal } from './refusal.ts';

/** OID of the national health-professional identifiers (RPPS/ADELI), as the SAS reads `practitioner`. */
export const PRACTITIONER_OID = '1.2.250.1.71.4.2.1';
export const PRACTITIONER_URN_PREFIX = `urn:oid:${PRACTITIONER_OID}|`;

/** Luhn key check over all digits, the rule of the RPPS number's 11th digit. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The key digit that makes `first10` + key a valid RPPS. */
export function rppsKey(first10: string): string {
  for (let k = 0; k <= 9; k++) if (luhnValid(`${first10}${k}`)) return String(k);
  throw new Error('unreachable: a Luhn key always exists');
}

export type PractitionerResult =
  | { ok: true; rpps: string; nationalId: string }
  | {
      ok: false;
      message: string;
      refusal: Extract<
        Refusal,
        { rule: 'practitioner-urn-prefix' | 'practitioner-urn-suffix' | 'practitioner-format' | 'rpps-key' }
      >;
    };

/**
 * The attending doctor as the LRM sends it: a bare RPPS (11 digits), a national id
 * ("8" + RPPS) or the URN the SAS expects. Only RPPS-based ids are accepted: the SAS URN
 * carries "8" + RPPS, and an RPPS with a wrong key would silently find nobody.
 */
export function parsePractitioner(raw: string): PractitionerResult {
  const value = raw.trim();
  let id = value;
  if (value.toLowerCase().startsWith('urn:oid:')) {
    if (!value.startsWith(PRACTITIONER_URN_PREFIX)) {
      return {
        ok: false,
        message: `practitioner URN must start with "${PRACTITIONER_URN_PREFIX}"`,
        refusal: { rule: 'practitioner-urn-prefix', value, prefix: PRACTITIONER_URN_PREFIX },
      };
    }
    id = value.slice(PRACTITIONER_URN_PREFIX.length);
    if (!/^8\d{11}$/.test(id)) {
      return {
        ok: false,
        message: 'practitioner URN must end with "8" followed by the 11-digit RPPS',
        refusal: { rule: 'practitioner-urn-suffix', value },
      };
    }
  }
  let rpps: string;
  if (/^\d{11}$/.test(id)) rpps = id;
  else if (/^8\d{11}$/.test(id)) rpps = id.slice(1);
  else {
    return {
      ok: false,
      message: 'practitioner must be an RPPS (11 digits), a national id ("8" + RPPS) or its URN',
      refusal: { rule: 'practitioner-format', value },
    };
  }
  if (!luhnValid(rpps)) {
    const expectedKey = rppsKey(rpps.slice(0, 10));
    return {
      ok: false,
      message: `RPPS ${rpps} has a wrong key digit (Luhn): expected ${expectedKey} as 11th digit`,
      refusal: { rule: 'rpps-key', value: rpps, expectedKey },
    };
  }
  return { ok: true, rpps, nationalId: `8${rpps}` };
}

export const practitionerUrn = (rpps: string) => `${PRACTITIONER_URN_PREFIX}8${rpps}`;
