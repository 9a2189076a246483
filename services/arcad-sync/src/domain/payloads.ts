import type {
  LiviaActivity,
  LiviaEstablishment,
  LiviaFamilyContact,
  LiviaIntervenant,
  LiviaResident,
  LiviaUser,
} from './liviaEntities.ts';

/** ARCAD360 refuses an address without postcode or city: LIVIA's blanks get these defaults. */
export const DEFAULT_POSTCODE = '99999';
export const DEFAULT_CITY = 'LIVIA';
/** ARCAD360 profile "Autre / Utilisateur metier" given to every LIVIA user at initialisation. */
export const BUSINESS_USER_PROFILE = 'AUTRE_UTILISATEUR_METIER';

export interface ArcadUserInput {
  externalId: string;
  login: string;
  lastName: string;
  firstName: string;
  postcode: string;
  city: string;
  email: string;
  profile: string;
  temporaryPassword: string;
}

/**
 * I.1: a LIVIA user as an ARCAD360 user. The e-mail stays empty because ARCAD cannot hold a
 * temporary password and an e-mail together; the user sets both at first login.
 */
export function arcadUserOf(user: LiviaUser, temporaryPassword: string): ArcadUserInput {
  return {
    externalId: user.id,
    login: user.login,
    lastName: user.lastName,
    firstName: user.firstName,
    postcode: user.postcode.trim() || DEFAULT_POSTCODE,
    city: user.city.trim() || DEFAULT_CITY,
    email: '',
    profile: BUSINESS_USER_PROFILE,
    temporaryPassword,
  };
}

const PASSWORD_CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!#$%*+-?@'];

/**
 * A random temporary password of `length` characters with at least one of each class (upper,
 * lower, digit, symbol), drawn from `randomBytes` (crypto.getRandomValues in production).
 * Ambiguous characters (0/O, 1/l/I) are left out: users type it from the CSV.
 */
export function temporaryPassword(
  randomBytes: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n)),
  length = 14,
): string {
  const all = PASSWORD_CLASSES.join('');
  const bytes = randomBytes(length * 2);
  const chars: string[] = [];
  for (let i = 0; i < length; i++) {
    const pool = i < PASSWORD_CLASSES.length ? (PASSWORD_CLASSES[i] as string) : all;
    chars.push(pool[(bytes[i] as number) % pool.length] as string);
  }
  // Shuffle so the guaranteed classes are not always in front.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = (bytes[length + i] as number) % (i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join('');
}

export interface ArcadLegalEntityInput {
  externalId: string;
  name: string;
  finess: string | null;
  postcode: string;
  city: string;
}

export function arcadLegalEntityOf(e: LiviaEstablishment): ArcadLegalEntityInput {
  return {
    externalId: e.id,
    name: e.name,
    finess: e.finess ?? null,
    postcode: e.postcode.trim() || DEFAULT_POSTCODE,
    city: e.city.trim() || DEFAULT_CITY,
  };
}

export interface ArcadServiceInput {
  externalId: string;
  legalEntityId: string;
  name: string;
  code: string;
}

export function arcadServiceOf(a: LiviaActivity, legalEntityId: string): ArcadServiceInput {
  return { externalId: a.id, legalEntityId, name: a.name, code: a.code };
}

export interface ArcadClientInput {
  externalId: string;
  lastName: string;
  firstName: string;
  birthDate: string;
  sex: 'M' | 'F' | 'U';
  postcode: string;
  city: string;
  active: boolean;
  /** Sent only when LIVIA has one; malformed ones never get this far (InsSchema). */
  ins?: { matricule?: string | null | undefined; status: string } | null;
}

/** I.4: residents become ARCAD clients created INACTIVE; ARCAD activates them with a stay. */
export function arcadClientOf(r: LiviaResident): ArcadClientInput {
  return {
    externalId: r.id,
    lastName: r.lastName,
    firstName: r.firstName,
    birthDate: r.birthDate,
    sex: r.sex,
    postcode: r.postcode.trim() || DEFAULT_POSTCODE,
    city: r.city.trim() || DEFAULT_CITY,
    active: false,
    ...(r.ins ? { ins: r.ins } : {}),
  };
}

/** I.4: deceased residents are never sent to ARCAD360. */
export const isDeceased = (r: LiviaResident) => r.deceased || r.deathDate !== undefined;

export interface ArcadRecordInput {
  externalId: string;
  clientId: string;
  serviceId: string;
}

export interface ArcadPersonalCircleInput {
  externalId: string;
  relationship: string;
  /** The contact travels inside the link request: each family contact is its own person. */
  person: { lastName: string; firstName: string; phone: string | null };
}

export function arcadPersonalCircleOf(c: LiviaFamilyContact): ArcadPersonalCircleInput {
  return {
    externalId: c.id,
    relationship: c.relationship,
    person: { lastName: c.lastName, firstName: c.firstName, phone: c.phone ?? null },
  };
}

export interface ArcadPartnerInput {
  externalId: string;
  lastName: string;
  firstName: string;
  profession: string;
  rpps: string | null;
}

export function arcadPartnerOf(i: LiviaIntervenant): ArcadPartnerInput {
  return {
    externalId: i.id,
    lastName: i.lastName,
    firstName: i.firstName,
    profession: i.profession,
    rpps: i.rpps ?? null,
  };
}

export interface ArcadProfessionalCircleInput {
  externalId: string;
  partnerId: string;
  role: string;
}

/** The sync key of one intervenant-resident link. */
export const intervenantLinkId = (intervenantId: string, residentId: string) =>
  `${intervenantId}>${residentId}`;

/** The intervenant of a link's sync key (LIVIA ids cannot hold `>`). */
export const intervenantOfLink = (linkId: string) => linkId.slice(0, linkId.indexOf('>'));
