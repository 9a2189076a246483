import type {
  LiviaActivity,
  LiviaEstablishment,
  LiviaFamilyContact,
  LiviaIntervenant,
  LiviaRecord,
  LiviaResident,
  LiviaUser,
} from '../src/domain/liviaEntities.ts';

export interface LiviaTenantSizes {
  users: number;
  establishments: number;
  activities: number;
  residents: number;
  records: number;
  /** Family contacts; intervenants are a tenth of that, each following several residents. */
  contacts: number;
}

export interface LiviaTenantData {
  users: LiviaUser[];
  establishments: LiviaEstablishment[];
  activities: LiviaActivity[];
  residents: LiviaResident[];
  records: LiviaRecord[];
  familyContacts: LiviaFamilyContact[];
  intervenants: LiviaIntervenant[];
}

const LAST = [
  'MARTIN',
  'BERNARD',
  'THOMAS',
  'PETIT',
  'ROBERT',
  'RICHARD',
  'DURAND',
  'DUBOIS',
  'MOREAU',
  'LAURENT',
  'SIMON',
  'MICHEL',
  'LEFEBVRE',
  'LEROY',
  'ROUX',
  "D'ALMEIDA",
  'NGUYEN',
  'FAURE-DUPONT',
];
const FIRST = [
  'Jeanne',
  'Marie',
  'Paul',
  'Louis',
  'Marcel',
  'Simone',
  'Germaine',
  'André',
  'René',
  'Odette',
  'Léon',
  'Hélène',
  'François',
  'Zoé',
];
const CITIES: [string, string][] = [
  ['25000', 'Besançon'],
  ['62000', 'Arras'],
  ['69003', 'Lyon'],
  ['13008', 'Marseille'],
  ['29200', 'Brest'],
];
const ACTIVITY_NAMES = ['EHPAD', 'Accueil de jour', 'SSIAD', 'Foyer de vie', 'FAM', 'MAS', 'SAVS', 'ESAT'];
const PROFESSIONS = [
  'Kinésithérapeute',
  'Médecin généraliste',
  'Orthophoniste',
  'Psychologue',
  'Infirmier libéral',
  'Danse-thérapeute',
];
const RELATIONS = ['fille', 'fils', 'gendre', 'belle-fille', 'neveu', 'nièce', 'tuteur', 'conjoint'];

/** Deterministic pseudo-random numbers (mulberry32): the same seed gives the same tenant. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A realistic LIVIA customer group: about 8% of residents deceased, 10% of users and residents
 * with no postcode and 5% with no city, intervenants following 1 to 6 residents each, records
 * of residents in activities of several establishments.
 */
export function generateLiviaTenant(sizes: LiviaTenantSizes, seed = 42): LiviaTenantData {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)] as T;
  const address = () => {
    const [postcode, city] = pick(CITIES);
    return { postcode: rnd() < 0.1 ? '' : postcode, city: rnd() < 0.05 ? '' : city };
  };
  const date = (from: number, to: number) => {
    const y = from + Math.floor(rnd() * (to - from));
    const m = String(1 + Math.floor(rnd() * 12)).padStart(2, '0');
    const d = String(1 + Math.floor(rnd() * 28)).padStart(2, '0');
    return `${y}-${m}-${d}`;
  };

  const users = Array.from({ length: sizes.users }, (_, i): LiviaUser => {
    const lastName = pick(LAST);
    const firstName = pick(FIRST);
    return {
      id: `U${i + 1}`,
      login: `${firstName[0]}${lastName}${i + 1}`.toLowerCase().replace(/[^a-z0-9]/g, ''),
      lastName,
      firstName,
      email: `user${i + 1}@etablissement.example`,
      ...address(),
    };
  });
  const establishments = Array.from(
    { length: sizes.establishments },
    (_, i): LiviaEstablishment => ({
      id: `E${i + 1}`,
      name: `Résidence ${pick(FIRST)} ${i + 1}`,
      finess: String(250_000_000 + i).padStart(9, '0'),
      ...address(),
    }),
  );
  const activities = Array.from(
    { length: sizes.activities },
    (_, i): LiviaActivity => ({
      id: `A${i + 1}`,
      establishmentId: `E${(i % Math.max(1, sizes.establishments)) + 1}`,
      name: ACTIVITY_NAMES[i % ACTIVITY_NAMES.length] as string,
      code: `ACT${i + 1}`,
    }),
  );
  const residents = Array.from({ length: sizes.residents }, (_, i): LiviaResident => {
    const deceased = rnd() < 0.08;
    return {
      id: `R${i + 1}`,
      lastName: pick(LAST),
      firstName: pick(FIRST),
      birthDate: date(1925, 1960),
      sex: rnd() < 0.6 ? 'F' : 'M',
      ...address(),
      deceased,
      ...(deceased && rnd() < 0.5 ? { deathDate: date(2015, 2025) } : {}),
    };
  });
  const records = Array.from(
    { length: sizes.records },
    (_, i): LiviaRecord => ({
      id: `D${i + 1}`,
      residentId: `R${(i % Math.max(1, sizes.residents)) + 1}`,
      activityId: `A${Math.floor(rnd() * Math.max(1, sizes.activities)) + 1}`,
    }),
  );
  const familyContacts = Array.from(
    { length: sizes.contacts },
    (_, i): LiviaFamilyContact => ({
      id: `F${i + 1}`,
      residentId: `R${Math.floor(rnd() * Math.max(1, sizes.residents)) + 1}`,
      lastName: pick(LAST),
      firstName: rnd() < 0.1 ? '' : pick(FIRST),
      relationship: pick(RELATIONS),
      ...(rnd() < 0.7 ? { phone: `06${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}` } : {}),
    }),
  );
  const intervenantCount = Math.max(1, Math.floor(sizes.contacts / 10));
  const intervenants = Array.from(
    { length: sizes.residents ? intervenantCount : 0 },
    (_, i): LiviaIntervenant => {
      const followed = new Set<string>();
      const n = 1 + Math.floor(rnd() * 6);
      for (let k = 0; k < n; k++) followed.add(`R${Math.floor(rnd() * sizes.residents) + 1}`);
      return {
        id: `I${i + 1}`,
        lastName: pick(LAST),
        firstName: pick(FIRST),
        profession: pick(PROFESSIONS),
        ...(rnd() < 0.6 ? { rpps: String(10_000_000_000 + i) } : {}),
        residentIds: [...followed],
      };
    },
  );
  return { users, establishments, activities, residents, records, familyContacts, intervenants };
}
