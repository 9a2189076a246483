import type { ErrorCode } from '@hip/shared';
import type { Refusal } from '../domain/refusal.ts';

/** The search parameters as a regulator knows them on the LRM's case screen. */
const FIELD_LABELS: Record<string, string> = {
  origin: 'Origine (LRM/SAMU)',
  streetnumber: 'Numéro de voie',
  streetname: 'Nom de voie',
  inseecode: 'Code INSEE de la commune',
  city: 'Commune',
  address: 'Adresse',
  specialty: 'Spécialité',
  practitioner: 'Médecin traitant',
};

export const frenchFieldLabel = (field: string) => FIELD_LABELS[field] ?? `Paramètre « ${field} »`;

/**
 * What to fix, in French, for each refusal rule. The switch is exhaustive: a new rule in
 * `domain/refusal.ts` does not compile until it has its French sentence.
 */
export function frenchRefusal(refusal: Refusal): string {
  switch (refusal.rule) {
    case 'origin-missing':
      return "L'origine (identifiant du LRM/SAMU déclaré sur le SAS) est absente : le bouton du LRM doit la transmettre";
    case 'origin-unknown':
      return `L'origine « ${refusal.value} » n'est pas un LRM/SAMU déclaré : le SAS afficherait « flux désactivé »`;
    case 'address-and-fields':
      return "Donnez soit l'adresse sur une ligne, soit les quatre champs d'adresse, pas les deux";
    case 'one-line-address-without-city':
      return `L'adresse « ${refusal.value} » ne permet pas de trouver la commune : écrivez « <numéro> <voie>, <code postal> <commune> »`;
    case 'postal-code-length':
      return `Le code postal « ${refusal.value} » doit comporter 5 chiffres`;
    case 'street-number-without-digit':
      return `Le numéro de voie « ${refusal.value} » ne contient aucun chiffre`;
    case 'street-number-without-street-name':
      return "Un numéro de voie sans nom de voie renverrait vers l'accueil du SAS : ajoutez le nom de la voie";
    case 'insee-code-format':
      return `Le code INSEE « ${refusal.value} » doit comporter 5 caractères (5 chiffres, ou 2A/2B suivi de 3 chiffres)`;
    case 'insee-code-corsica':
      return `Le code INSEE « ${refusal.value} » est corse : il commence par 2A ou 2B, pas par 20`;
    case 'insee-code-not-a-district':
      return `Le code INSEE « ${refusal.value} » n'est pas un arrondissement de ${refusal.city} (de ${refusal.first} à ${refusal.last})`;
    case 'no-city':
      return 'La commune est absente : donnez le code INSEE ou le nom de la commune, sans quoi le SAS ne peut pas placer la recherche';
    case 'practitioner-urn-prefix':
      return `L'identifiant « ${refusal.value} » doit commencer par « ${refusal.prefix} »`;
    case 'practitioner-urn-suffix':
      return `L'identifiant « ${refusal.value} » doit se terminer par 8 suivi des 11 chiffres du RPPS`;
    case 'practitioner-format':
      return `« ${refusal.value} » n'est pas un RPPS (11 chiffres), un identifiant national (8 + RPPS) ni son URN`;
    case 'rpps-key':
      return `Le RPPS ${refusal.value} a une clé de contrôle fausse : le 11e chiffre attendu est ${refusal.expectedKey}`;
    case 'too-long':
      return `La valeur est trop longue : ${refusal.max} caractères au plus`;
    case 'misspelled-parameter':
      return `Le paramètre « ${refusal.name} » est inconnu du SAS, qui l'ignorerait : le bon nom est « ${refusal.meant} »`;
    case 'invalid-parameter':
      return 'La valeur est invalide';
  }
}

/** The page's heading and what the regulator can do, for each refusal the browser may meet. */
export function frenchSummary(code: ErrorCode): { title: string; advice: string } {
  switch (code) {
    case 'FORBIDDEN':
      return {
        title: 'Recherche refusée : LRM non déclaré sur le SAS',
        advice: "Contactez l'administrateur de la plateforme pour déclarer cette origine.",
      };
    case 'UNPROCESSABLE':
    case 'VALIDATION_FAILED':
    case 'BAD_REQUEST':
      return {
        title: 'Recherche refusée : le contexte transmis par le LRM est à corriger',
        advice: 'Corrigez ces champs dans le dossier du LRM, puis relancez la recherche.',
      };
    case 'GONE':
      return {
        title: 'Cette recherche a déjà été ouverte ou a expiré',
        advice: 'Relancez-la depuis le dossier du LRM.',
      };
    case 'NOT_FOUND':
      return { title: 'Recherche introuvable', advice: 'Relancez-la depuis le dossier du LRM.' };
    case 'UNAUTHENTICATED':
      return {
        title: 'Connexion Pro Santé Connect refusée',
        advice: 'Relancez la recherche depuis le LRM pour vous connecter à nouveau.',
      };
    case 'UPSTREAM_FAILED':
    case 'UPSTREAM_TIMEOUT':
    case 'UNAVAILABLE':
      return {
        title: 'Pro Santé Connect ou le SAS ne répond pas',
        advice: 'Réessayez dans un instant ; si cela persiste, prévenez le support.',
      };
    default:
      return {
        title: 'La recherche n’a pas pu aboutir',
        advice: 'Réessayez ; si cela persiste, prévenez le support.',
      };
  }
}
