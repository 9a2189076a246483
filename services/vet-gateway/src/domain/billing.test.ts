import { describe, expect, it } from 'vitest';
import type { Visit } from '../adapters/vetelevage/contract.ts';
import { billingLinesOf, visitLinesOf } from './billing.ts';

const visit: Visit = {
  id: 'V-1',
  compte: 'acc-1',
  date: '2026-11-20',
  veterinaire: { id: 'vet-9', nom: 'Dr Martin' },
  elevage: { numero: 'FR35123456', nom: 'GAEC des Prés' },
  actes: [
    { code: 'VIS', quantite: 1, animaux: [] },
    { code: 'ZZZ', quantite: 2, animaux: ['FR3512345678'] },
  ],
  produits: [
    {
      id: 'P-1',
      gtin: '4006381333931',
      libelle: 'Oxytetracycline 10%',
      quantite: 3,
      unite: 'flacon',
      animaux: [],
    },
    { id: 'P-2', gtin: null, libelle: 'Pommade maison', quantite: 1, unite: 'tube', animaux: [] },
  ],
};

describe('billing lines of a visit', () => {
  it('gives one line per act and per product with quantities, and the vet, herd and date once per visit', () => {
    const billed = visitLinesOf(visit, {
      mappings: new Map([['P-1', 'LG-77']]),
      actCodes: new Set(['VIS', 'ZZZ']),
    });
    expect(billed).toMatchObject({
      visitId: 'V-1',
      account: 'acc-1',
      date: '2026-11-20',
      veterinarian: { id: 'vet-9', name: 'Dr Martin' },
      herd: { number: 'FR35123456', name: 'GAEC des Prés' },
      flagged: 1,
    });
    const { lines } = billed;
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ kind: 'act', actCode: 'VIS', quantity: 1, status: 'ok', line: 1 });
    expect(lines[2]).toMatchObject({
      kind: 'product',
      vetelevageProductId: 'P-1',
      lgcvProductId: 'LG-77',
      quantity: 3,
      unit: 'flacon',
      status: 'ok',
    });
    expect(lines[3]).toMatchObject({ line: 4, vetelevageProductId: 'P-2', status: 'unmapped_product' });
  });

  it('keeps a line for an unmapped product, flagged, instead of dropping it', () => {
    const lines = billingLinesOf(visit, { mappings: new Map(), actCodes: null });
    const product = lines.filter((l) => l.kind === 'product');
    expect(product).toHaveLength(2);
    expect(product.every((l) => l.status === 'unmapped_product' && l.flag?.includes('not mapped'))).toBe(
      true,
    );
  });

  it('flags an act code the LGCV act list does not contain', () => {
    const lines = billingLinesOf(visit, { mappings: new Map(), actCodes: new Set(['VIS']) });
    expect(lines[1]).toMatchObject({
      actCode: 'ZZZ',
      status: 'unknown_act',
      flag: 'act code "ZZZ" is not in the LGCV act list',
    });
  });
});
