import type { GeneratedDocument } from '@hip/shared/schemas';

/** Why a Windows login cannot name a folder on the share; undefined when it can. */
export function windowsLoginProblem(login: string): string | undefined {
  if (login.length === 0) return 'is empty';
  // sAMAccountName is at most 20 characters; 64 leaves room for UPN-style prefixes without
  // letting a login push the full path past Windows' MAX_PATH.
  if (login.length > 64) return `is ${login.length} characters long (at most 64)`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\u0000-\u001f\u007f]/.test(login)) return 'contains a control character (NUL, newline...)';
  if (login.includes('/') || login.includes('\\')) return 'contains a path separator (/ or \\)';
  if (login === '.' || login.includes('..')) return 'contains ".." or is "."';
  if (/[<>:"|?*]/.test(login)) return 'contains a character Windows forbids in names (<>:"|?*)';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(login)) {
    return 'must start with a letter or digit and contain only letters, digits, ".", "_" or "-"';
  }
  if (/[. ]$/.test(login)) return 'ends with a dot, which Windows silently strips';
  const stem = login.split('.')[0]?.toUpperCase() ?? '';
  if (/^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])$/.test(stem)) {
    return `is the reserved Windows device name "${stem}"`;
  }
  return undefined;
}

/** ASCII, upper-case first letter words, no separators: "Lefèvre-D'Arc" -> "LEFEVRE-DARC". */
export function fileNameToken(text: string, maxLength: number): string {
  const folded = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[œŒ]/g, (c) => (c === 'œ' ? 'oe' : 'OE'))
    .replace(/[æÆ]/g, (c) => (c === 'æ' ? 'ae' : 'AE'))
    .replace(/ß/g, 'ss');
  const cleaned = folded
    .replace(/[^A-Za-z0-9 -]+/g, '')
    .trim()
    .replace(/[\s-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned.slice(0, maxLength).replace(/-+$/, '');
}

/**
 * `<date>_<kind>_<patient>_<documentId>.pdf`. The patient part is the last name and the first
 * name's initial, ASCII-folded: enough for the doctor to find the patient in Doctolib, no
 * birth date or patient id on a share that is synchronised to a NAS. The document id makes the
 * name unique, so a redelivered document overwrites its own file instead of adding a second one.
 */
export function documentFileName(
  doc: Pick<GeneratedDocument, 'createdAt' | 'kind' | 'patient' | 'id'>,
): string {
  const date = doc.createdAt.slice(0, 10);
  const last = fileNameToken(doc.patient.lastName, 40).toUpperCase() || 'PATIENT';
  const initial = fileNameToken(doc.patient.firstName, 1).toUpperCase();
  const patient = initial ? `${last}-${initial}` : last;
  return `${date}_${doc.kind}_${patient}_${doc.id}.pdf`;
}
