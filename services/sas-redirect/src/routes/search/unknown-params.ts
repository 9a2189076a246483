/**
 * Misspelled parameter names. The SAS ignores a parameter it does not know, so `speciality=SM54`
 * would silently become a general-medicine search: such names are refused, naming the right one.
 */
const NEAR_MISSES: Record<string, string> = {
  speciality: 'specialty',
  specialite: 'specialty',
  specialities: 'specialty',
  specialties: 'specialty',
  savoirfaire: 'specialty',
  rpps: 'practitioner',
  rppsid: 'practitioner',
  medecintraitant: 'practitioner',
  doctor: 'practitioner',
  insee: 'inseecode',
  codeinsee: 'inseecode',
  commune: 'city',
  ville: 'city',
  town: 'city',
  numero: 'streetnumber',
  number: 'streetnumber',
  housenumber: 'streetnumber',
  street: 'streetname',
  rue: 'streetname',
  voie: 'streetname',
  adresse: 'address',
  postcode: 'address',
  postalcode: 'address',
  zipcode: 'address',
  codepostal: 'address',
};

/** The parameter a misspelled name was meant to be, or undefined for a name we do not recognise. */
export function meantParameter(name: string, known: readonly string[]): string | undefined {
  if (known.includes(name)) return undefined;
  const bare = bareName(name);
  const meant = known.find((k) => bareName(k) === bare) ?? NEAR_MISSES[bare];
  return meant && known.includes(meant) ? meant : undefined;
}

/** Case, accents, `_`, `-` and spaces do not matter: `inseeCode`, `street_name`, `spécialité`. */
const bareName = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');

/** One message naming an unknown parameter, and the right name when it looks like a misspelling. */
export function unknownParameterMessage(name: string, known: readonly string[]): string {
  const meant = meantParameter(name, known);
  return meant ? `unknown parameter "${name}": did you mean "${meant}"?` : `unknown parameter "${name}"`;
}
