import type { DictionaryProduct, Visit } from '../src/adapters/vetelevage/contract.ts';
import { gtinCheckDigit } from '../src/domain/gtin.ts';

const withCheck = (body: string) => `${body}${gtinCheckDigit(body)}`;

/** A small SNGTV-like dictionary: products with a GTIN-13, and clinic-specific ones without. */
export const DICTIONARY: DictionaryProduct[] = [
  ['Oxytétracycline 10% injectable 100 ml', '376012345000'],
  ['Amoxicilline longue action 250 ml', '376012345001'],
  ['Ivermectine pour-on 1 L', '376012345002'],
  ['Méloxicam 20 mg/ml 100 ml', '376012345003'],
  ['Vaccin entérotoxémie 50 doses', '376012345004'],
  ['Calcium borogluconate 500 ml', '376012345005'],
  ['Pénicilline procaïne 100 ml', '376012345006'],
  ['Oligo-éléments bolus', '376012345007'],
].map(([libelle, body], i) => ({
  id: `VE-${1000 + i}`,
  libelle: libelle as string,
  gtin: withCheck(body as string),
  specifique_clinique: false,
}));
DICTIONARY.push(
  { id: 'VE-C-1', libelle: 'Pommade mammaire préparation clinique', gtin: null, specifique_clinique: true },
  { id: 'VE-C-2', libelle: 'Solution de parage maison', gtin: null, specifique_clinique: true },
);

export const ACT_CODES = ['VIS', 'VAC', 'PARAGE', 'CESAR', 'BILAN'];

/** Deterministic visits for tests and the benchmark (`seed` makes ids unique per call). */
export function makeVisits(
  account: string,
  count: number,
  options: { seed?: string; linesPerVisit?: number; startAt?: number } = {},
): Visit[] {
  const lines = options.linesPerVisit ?? 4;
  const seed = options.seed ?? Math.random().toString(36).slice(2, 8);
  const visits: Visit[] = [];
  for (let n = 0; n < count; n++) {
    const i = (options.startAt ?? 0) + n;
    const acts = Math.max(1, Math.floor(lines / 3));
    visits.push({
      id: `${seed}-${i}`,
      compte: account,
      date: `2026-11-${String((i % 28) + 1).padStart(2, '0')}`,
      veterinaire: { id: `vet-${i % 3}`, nom: `Dr Vétérinaire ${i % 3}` },
      elevage: { numero: `FR35${String(100000 + (i % 500)).padStart(6, '0')}`, nom: `Élevage ${i % 500}` },
      actes: Array.from({ length: acts }, (_, k) => ({
        code: ACT_CODES[(i + k) % ACT_CODES.length] as string,
        quantite: 1 + (k % 2),
        animaux: [`FR35${String(1000000 + ((i * 7 + k) % 9999999)).padStart(8, '0')}`],
      })),
      produits: Array.from({ length: lines - acts }, (_, k) => {
        const product = DICTIONARY[(i + k) % DICTIONARY.length] as DictionaryProduct;
        return {
          id: product.id,
          gtin: product.gtin,
          libelle: product.libelle,
          quantite: 1 + (k % 3),
          unite: 'unite',
          animaux: [],
        };
      }),
    });
  }
  return visits;
}

const gtinOf = (vetelevageId: string) => DICTIONARY.find((p) => p.id === vetelevageId)?.gtin ?? null;

/**
 * The demo practice's LGCV product catalogue, as the LGCV would push it
 * (`PUT /accounts/{account}/catalogue`). Chosen so that the admin page shows every case: products
 * suggested by the same GTIN, products suggested by name only (no GTIN on one side), and
 * Vétélevage products with no suggestion at all (VE-1006, VE-C-2), mapped by hand.
 */
export const DEMO_LGCV_CATALOGUE: { id: string; name: string; gtin?: string }[] = [
  { id: 'LG-OXY-100', name: 'Oxytétracycline 10 % inj. 100 ml', gtin: gtinOf('VE-1000') ?? undefined },
  { id: 'LG-AMOX-LA', name: 'Amoxicilline LA 250 ml', gtin: gtinOf('VE-1001') ?? undefined },
  { id: 'LG-IVER-1L', name: 'Ivermectine pour-on 1 L (flacon)' },
  { id: 'LG-MELOX-100', name: 'Méloxicam 20 mg/ml 100 ml', gtin: gtinOf('VE-1003') ?? undefined },
  { id: 'LG-VAC-ENTERO', name: 'Vaccin entérotoxémie 50 doses' },
  { id: 'LG-CALCIUM-500', name: 'Calcium borogluconate 500 ml', gtin: gtinOf('VE-1005') ?? undefined },
  { id: 'LG-PENI-PROC', name: 'Benzylpénicilline procaïne (flacon)' },
  { id: 'LG-BOLUS-OLIGO', name: 'Bolus oligo-éléments vaches laitières' },
  { id: 'LG-POMMADE-MAM', name: 'Pommade mammaire (préparation du cabinet)' },
  { id: 'LG-KIT-PARAGE', name: 'Kit onglons (soins podologie)' },
  { id: 'LG-GANTS', name: 'Gants de fouille, boîte de 100' },
  { id: 'LG-BANDE', name: 'Bande cohésive 10 cm' },
];
