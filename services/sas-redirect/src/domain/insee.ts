import type { Refusal } from './refusal.ts';

/**
 * INSEE commune codes as the SAS resolves them. Paris, Lyon and Marseille have one commune code
 * and district ("arrondissement municipal") codes; the SAS resolves both, so both are accepted,
 * but a district number that does not exist is not.
 */
interface DividedCity {
  name: string;
  communeCode: string;
  /** District INSEE code = prefix + 2-digit district number. */
  districtPrefix: string;
  districts: number;
  /** District postal code = prefix + 2-digit district number. */
  postalPrefix: string;
}

const DIVIDED_CITIES: DividedCity[] = [
  { name: 'Paris', communeCode: '75056', districtPrefix: '751', districts: 20, postalPrefix: '750' },
  { name: 'Lyon', communeCode: '69123', districtPrefix: '6938', districts: 9, postalPrefix: '6900' },
  { name: 'Marseille', communeCode: '13055', districtPrefix: '132', districts: 16, postalPrefix: '130' },
];

const ordinal = (n: number) => (n === 1 ? '1er' : `${n}e`);

export type InseeResult =
  | { ok: true; code: string; cityName?: string }
  | {
      ok: false;
      message: string;
      refusal: Extract<
        Refusal,
        { rule: 'insee-code-format' | 'insee-code-corsica' | 'insee-code-not-a-district' }
      >;
    };

/** Checks an INSEE commune code and names the city when it is a Paris/Lyon/Marseille code. */
export function checkInseeCode(raw: string): InseeResult {
  const code = raw.trim().toUpperCase();
  if (!/^(\d{5}|2[AB]\d{3})$/.test(code)) {
    return {
      ok: false,
      message: `"${raw}" is not an INSEE commune code (5 digits, or 2A/2B + 3 digits)`,
      refusal: { rule: 'insee-code-format', value: raw },
    };
  }
  if (code.startsWith('20')) {
    return {
      ok: false,
      message: `"${raw}": Corsica codes start with 2A or 2B, not 20`,
      refusal: { rule: 'insee-code-corsica', value: raw },
    };
  }
  for (const city of DIVIDED_CITIES) {
    if (code === city.communeCode) return { ok: true, code, cityName: city.name };
    if (!code.startsWith(city.districtPrefix)) continue;
    // In these départements the whole block after the prefix is reserved for districts.
    const width = 5 - city.districtPrefix.length;
    const n = Number(code.slice(city.districtPrefix.length));
    if (n >= 1 && n <= city.districts) {
      return { ok: true, code, cityName: `${city.name} ${ordinal(n)} Arrondissement` };
    }
    const first = `${city.districtPrefix}${pad(1, width)}`;
    const last = `${city.districtPrefix}${pad(city.districts, width)}`;
    return {
      ok: false,
      message: `"${raw}" is not a district of ${city.name} (${first} to ${last})`,
      refusal: { rule: 'insee-code-not-a-district', value: raw, city: city.name, first, last },
    };
  }
  return { ok: true, code };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * The district INSEE code behind a Paris/Lyon/Marseille postal code (75005 -> 75105, 75116 ->
 * 75116), the only postal codes that map to one commune code without a lookup table.
 */
export function districtFromPostalCode(postalCode: string): { code: string; cityName: string } | undefined {
  if (postalCode === '75116') return { code: '75116', cityName: 'Paris 16e Arrondissement' };
  for (const city of DIVIDED_CITIES) {
    if (!postalCode.startsWith(city.postalPrefix)) continue;
    const n = Number(postalCode.slice(city.postalPrefix.length));
    if (n >= 1 && n <= city.districts) {
      const code = `${city.districtPrefix}${pad(n, 5 - city.districtPrefix.length)}`;
      return { code, cityName: `${city.name} ${ordinal(n)} Arrondissement` };
    }
  }
  return undefined;
}
