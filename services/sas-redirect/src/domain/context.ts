import { type AddressInput, normalizeAddress, type SasAddress } from './address.ts';
import type { ContextProblem } from './refusal.ts';
import { parsePractitioner } from './rpps.ts';
import { parseSpecialty, type Specialty, type SpecialtyTable } from './specialty.ts';

/** What the LRM sends, with the SAS's own parameter names. */
export interface RawSearchContext extends AddressInput {
  origin?: string;
  specialty?: string;
  practitioner?: string;
}

/** A context the SAS will accept as it is, ready to become a URL. */
export interface SearchContext {
  origin: string;
  address: SasAddress;
  specialty: Specialty;
  practitioner?: { rpps: string; nationalId: string };
}

export type { ContextProblem } from './refusal.ts';

export type ContextCheck =
  | { ok: true; context: SearchContext }
  | { ok: false; kind: 'forbidden-origin'; problem: ContextProblem }
  | { ok: false; kind: 'invalid'; problems: ContextProblem[] };

export interface ContextRules {
  /** The LRM/SAMU origins declared on the SAS for this platform. */
  origins: ReadonlySet<string>;
  specialties: SpecialtyTable;
}

/**
 * Checks a context against what the SAS accepts, so that a regulator is never sent to a SAS
 * page that silently drops the search: every reason the SAS would bounce it is named here.
 */
export function checkSearchContext(raw: RawSearchContext, rules: ContextRules): ContextCheck {
  const origin = raw.origin?.trim() ?? '';
  if (!rules.origins.has(origin)) {
    return {
      ok: false,
      kind: 'forbidden-origin',
      problem: origin
        ? {
            field: 'origin',
            message: `origin "${origin}" is not a configured LRM/SAMU origin; the SAS would answer "flow disabled"`,
            refusal: { rule: 'origin-unknown', value: origin },
          }
        : {
            field: 'origin',
            message: 'origin is missing; the SAS only accepts searches from a declared LRM/SAMU origin',
            refusal: { rule: 'origin-missing' },
          },
    };
  }
  const problems: ContextProblem[] = [];
  const address = normalizeAddress(raw);
  if (!address.ok) problems.push(...address.problems);
  let practitioner: SearchContext['practitioner'];
  if (raw.practitioner?.trim()) {
    const parsed = parsePractitioner(raw.practitioner);
    if (parsed.ok) practitioner = { rpps: parsed.rpps, nationalId: parsed.nationalId };
    else problems.push({ field: 'practitioner', message: parsed.message, refusal: parsed.refusal });
  }
  if (problems.length > 0 || !address.ok) return { ok: false, kind: 'invalid', problems };
  return {
    ok: true,
    context: {
      origin,
      address: address.address,
      specialty: parseSpecialty(raw.specialty, rules.specialties),
      ...(practitioner ? { practitioner } : {}),
    },
  };
}
