import { checkInseeCode, districtFromPostalCode } from './insee.ts';
import type { ContextProblem } from './refusal.ts';

/** The four address fields of the SAS contextual search. */
export interface SasAddress {
  streetnumber?: string;
  streetname?: string;
  inseecode?: string;
  city?: string;
}

export interface AddressInput extends SasAddress {
  /** The whole address on one line, for LRMs that do not split it. */
  address?: string;
}

export interface AddressProblem extends ContextProblem {
  field: keyof AddressInput;
}

export type AddressResult = { ok: true; address: SasAddress } | { ok: false; problems: AddressProblem[] };

const clean = (v: string | undefined) => {
  const t = v?.replace(/\s+/g, ' ').trim();
  return t ? t : undefined;
};

/** A leading street number: "12", "12 bis", "12b", or a range "12-14" (the SAS keeps the first). */
const STREET_NUMBER = /^(\d+)(?:\s*[-/]\s*\d+)?(?:\s*(?:bis|ter|quater|[a-z])\b)?[\s,]*/i;

function splitStreet(part: string): Pick<SasAddress, 'streetnumber' | 'streetname'> {
  const match = STREET_NUMBER.exec(part);
  const street = clean(match ? part.slice(match[0].length) : part)?.replace(/,$/, '');
  return {
    ...(match?.[1] ? { streetnumber: match[1] } : {}),
    ...(street ? { streetname: street } : {}),
  };
}

/**
 * Splits a one-line address into the SAS fields: "12 bis rue de la Paix, 75002 Paris",
 * "44000 Nantes", "12 rue de la Paix, Nantes". The postal code is not an INSEE code, so it only
 * becomes one for Paris/Lyon/Marseille districts; elsewhere the SAS resolves the city by name.
 * A line with no street number and no postal code is a city given as free text, as the SAS reads
 * it. Undefined when no city can be told apart ("12 rue de la Paix Nantes").
 */
export function splitOneLineAddress(line: string): SasAddress | undefined {
  const text = clean(line);
  if (!text) return undefined;
  const withPostalCode = /^(.*?)[\s,]*\b(\d{5})\s+([^\d,][^,]*)$/.exec(text);
  if (withPostalCode) {
    const [, street, postalCode, city] = withPostalCode;
    const district = districtFromPostalCode(postalCode!);
    return {
      ...splitStreet(street!),
      ...(district ? { inseecode: district.code } : {}),
      city: clean(city)!,
    };
  }
  const comma = text.lastIndexOf(',');
  if (comma > 0) {
    // "<street>, <city>": the city is what follows the last comma.
    const city = clean(text.slice(comma + 1));
    return city && !/\d/.test(city) ? { ...splitStreet(text.slice(0, comma)), city } : undefined;
  }
  return /\d/.test(text) ? undefined : { city: text };
}

/**
 * A postal code typed with a digit too few or too many ("12 rue de la Paix, 7500 Paris"): the
 * line then has no city we can tell apart, and saying which code is wrong is what helps.
 */
export function misshapenPostalCode(line: string): string | undefined {
  return /(?:^|[\s,])(\d{4}|\d{6})\s+[^\d,]+$/.exec(line.trim())?.[1];
}

/**
 * The address rules of the SAS: a street number needs a street name and the city must be
 * resolvable (INSEE code or name), else the SAS drops the search and shows its home page.
 */
export function normalizeAddress(input: AddressInput): AddressResult {
  const fourFields = [input.streetnumber, input.streetname, input.inseecode, input.city].some((v) =>
    clean(v),
  );
  const oneLine = clean(input.address);
  if (oneLine && fourFields) {
    return {
      ok: false,
      problems: [
        {
          field: 'address',
          message: 'give either "address" (one line) or the four address fields, not both',
          refusal: { rule: 'address-and-fields' },
        },
      ],
    };
  }
  let fields: SasAddress;
  if (oneLine) {
    const split = splitOneLineAddress(oneLine);
    const postalCode = split ? undefined : misshapenPostalCode(oneLine);
    if (postalCode) {
      return {
        ok: false,
        problems: [
          {
            field: 'address',
            message: `postal code "${postalCode}" must have 5 digits`,
            refusal: { rule: 'postal-code-length', value: postalCode },
          },
        ],
      };
    }
    if (!split) {
      return {
        ok: false,
        problems: [
          {
            field: 'address',
            message:
              'one-line address must read "<number> <street>, <postal code> <city>" or "<number> <street>, <city>"; no city found',
            refusal: { rule: 'one-line-address-without-city', value: oneLine },
          },
        ],
      };
    }
    fields = split;
  } else {
    fields = {
      streetnumber: clean(input.streetnumber),
      streetname: clean(input.streetname),
      inseecode: clean(input.inseecode),
      city: clean(input.city),
    };
  }
  const problems: AddressProblem[] = [];
  const out: SasAddress = {};
  if (fields.streetnumber !== undefined) {
    // The SAS keeps the digits only ("12 bis" -> "12").
    const digits = fields.streetnumber.replace(/\D/g, '');
    if (digits === '')
      problems.push({
        field: 'streetnumber',
        message: `"${fields.streetnumber}" has no digit`,
        refusal: { rule: 'street-number-without-digit', value: fields.streetnumber },
      });
    else out.streetnumber = digits;
    if (!fields.streetname) {
      problems.push({
        field: 'streetname',
        message: 'a street number without street name sends the regulator to the SAS home page',
        refusal: { rule: 'street-number-without-street-name' },
      });
    }
  }
  if (fields.streetname) out.streetname = fields.streetname;
  if (fields.inseecode !== undefined) {
    const insee = checkInseeCode(fields.inseecode);
    if (insee.ok) {
      out.inseecode = insee.code;
      if (!fields.city && insee.cityName) out.city = insee.cityName;
    } else problems.push({ field: 'inseecode', message: insee.message, refusal: insee.refusal });
  }
  if (fields.city) out.city = fields.city;
  if (!out.inseecode && !out.city && !problems.some((p) => p.field === 'inseecode')) {
    problems.push({
      field: oneLine ? 'address' : 'city',
      message:
        'no city: give "inseecode" or "city", else the SAS cannot place the search and shows its home page',
      refusal: { rule: 'no-city' },
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, address: out };
}
