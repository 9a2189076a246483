/**
 * INS (Identifiant National de Sante) of a resident: the 15-character matricule (the NIR: 13
 * characters + a 2-digit mod-97 key) and the identity status of the national identity
 * reference. A malformed INS is refused in both directions and never propagated.
 */

export const INS_STATUSES = ['PROV', 'RECUP', 'VALI', 'QUAL'] as const;
export type InsStatus = (typeof INS_STATUSES)[number];

export interface Ins {
  /** 15 characters: sex, year, month, department (2A/2B for Corsica), commune, order, key. */
  matricule?: string | null | undefined;
  status: InsStatus;
}

/** Statuses that exist only once the INS was retrieved from the national teleservice. */
const NEEDS_MATRICULE: InsStatus[] = ['RECUP', 'QUAL'];

const SHAPE = /^[1-478]\d{4}(?:\d{2}|2[AB])\d{6}\d{2}$/;

/**
 * The mod-97 key of the 13 first characters. Corsica's departments are letters: for the
 * computation 2A counts as 19 and 2B as 18 (the numeric codes they had before 1976).
 */
export function insKey(first13: string): number {
  const numeric = first13.replace(/^(.{5})2A/, '$119').replace(/^(.{5})2B/, '$118');
  return 97 - Number(BigInt(numeric) % 97n);
}

/** Why an INS matricule is malformed, or null when it is well formed with the right key. */
export function matriculeProblem(matricule: string): string | null {
  if (matricule.length !== 15) return `INS matricule must be 15 characters, got ${matricule.length}`;
  if (!SHAPE.test(matricule))
    return 'INS matricule must be a sex digit, 4 digits, a department (2 digits, 2A or 2B), 6 digits and a 2-digit key';
  const key = Number(matricule.slice(13));
  const expected = insKey(matricule.slice(0, 13));
  return key === expected
    ? null
    : `INS matricule key ${matricule.slice(13)} is wrong (mod-97 key is ${String(expected).padStart(2, '0')})`;
}

/** Why an INS (matricule + status) is refused, or null when it may travel. */
export function insProblem(ins: unknown): string | null {
  if (ins === undefined || ins === null) return null;
  if (typeof ins !== 'object') return 'INS must be an object {matricule, status}';
  const { matricule, status } = ins as Record<string, unknown>;
  if (!INS_STATUSES.includes(status as InsStatus))
    return `INS identity status must be one of ${INS_STATUSES.join(', ')}, got ${JSON.stringify(status ?? null)}`;
  if (matricule === undefined || matricule === null || matricule === '') {
    return NEEDS_MATRICULE.includes(status as InsStatus)
      ? `INS identity status ${String(status)} requires the INS matricule`
      : null;
  }
  if (typeof matricule !== 'string') return 'INS matricule must be a string';
  return matriculeProblem(matricule);
}

/** A well-formed matricule for tests and simulators: the 13 first characters plus their key. */
export function withInsKey(first13: string): string {
  return `${first13}${String(insKey(first13)).padStart(2, '0')}`;
}
