/** OID of the ordinal specialties table TRE_R38, as the SAS reads `specialty`. */
export const SPECIALTY_OID = '1.2.250.1.213.2.28';
export const SPECIALTY_URN_PREFIX = `urn:oid:${SPECIALTY_OID}|`;
export const GENERAL_MEDICINE = 'SM54';

/** TRE_R38 codes and their labels. */
export type SpecialtyTable = ReadonlyMap<string, string>;

/**
 * Parses an ANS nomenclature export (`code;libelle`, header first). Columns are found by name so
 * that a newer export with more columns still loads; a file without them is refused.
 */
export function parseSpecialtyCsv(text: string): SpecialtyTable {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split(';').map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase());
  const codeAt = header.indexOf('code');
  const labelAt = header.findIndex((h) => h === 'libelle' || h === 'libellé' || h === 'display');
  if (codeAt < 0 || labelAt < 0) throw new Error('TRE_R38 file must have "code" and "libelle" columns');
  const table = new Map<string, string>();
  for (const line of lines) {
    const cells = line.split(';').map((c) => c.trim().replace(/^"|"$/g, ''));
    const code = cells[codeAt];
    if (code) table.set(code.toUpperCase(), cells[labelAt] ?? '');
  }
  if (table.size === 0) throw new Error('TRE_R38 file has no code');
  return table;
}

export type Specialty =
  | { kind: 'code'; code: string; label: string }
  | { kind: 'free-text'; text: string }
  | { kind: 'general-medicine' };

/**
 * The specialty as the LRM sends it: a bare TRE_R38 code (`SM54`), its URN, or anything else,
 * which the SAS treats as free text. Empty means general medicine, the SAS default.
 */
export function parseSpecialty(raw: string | undefined, table: SpecialtyTable): Specialty {
  const value = (raw ?? '').trim();
  if (value === '') return { kind: 'general-medicine' };
  const candidate = value.startsWith(SPECIALTY_URN_PREFIX) ? value.slice(SPECIALTY_URN_PREFIX.length) : value;
  const label = table.get(candidate.toUpperCase());
  if (label !== undefined) return { kind: 'code', code: candidate.toUpperCase(), label };
  return { kind: 'free-text', text: value };
}

/** The `specialty` parameter value, or undefined when the SAS default applies. */
export function specialtyParam(specialty: Specialty): string | undefined {
  if (specialty.kind === 'code') return `${SPECIALTY_URN_PREFIX}${specialty.code}`;
  if (specialty.kind === 'free-text') return specialty.text;
  return undefined;
}
