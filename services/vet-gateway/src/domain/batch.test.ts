import { describe, expect, it } from 'vitest';
import { type Visit, VisitBatch } from '../adapters/vetelevage/contract.ts';
import { comparableFingerprints, describeBatchChange, diffBatches, fingerprintBatch } from './batch.ts';

const visit = (id: string, qty = 1): Visit => ({
  id,
  compte: 'a1',
  date: '2026-11-20',
  veterinaire: { id: 'v', nom: 'n' },
  elevage: { numero: 'FR1', nom: 'x' },
  actes: [{ code: 'VIS', quantite: qty, animaux: [] }],
  produits: [],
});

describe('frozen batch fingerprint', () => {
  it('is the same for the same visits in any order', async () => {
    const a = await fingerprintBatch([visit('1'), visit('2')]);
    const b = await fingerprintBatch([visit('2'), visit('1')]);
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it('detects an added, a removed and a changed visit between two GETs', async () => {
    const before = await fingerprintBatch([visit('1'), visit('2')]);
    const after = await fingerprintBatch([visit('1', 5), visit('3')]);
    expect(after.fingerprint).not.toBe(before.fingerprint);
    const change = diffBatches(before.visits, after.visits);
    expect(change).toEqual({ added: ['a1/3'], removed: ['a1/2'], changed: ['a1/1'] });
    expect(describeBatchChange('L1', change)).toBe(
      'batch L1 changed between two GETs although Vétélevage freezes it until DELETE: 1 added (a1/3); 1 removed (a1/2); 1 changed (a1/1)',
    );
  });

  it('hashes a visit as the contract parses it: same content, same hash, whatever the key order sent', async () => {
    const parse = (text: string) => VisitBatch.parse(JSON.parse(text)).visites;
    const sent = parse(
      '{"lot":"L","visites":[{"id":"1","compte":"a1","date":"2026-11-20","veterinaire":{"id":"v","nom":"n"},"elevage":{"numero":"FR1","nom":"x"},"actes":[{"code":"VIS","quantite":1}],"produits":[]}]}',
    );
    const reordered = parse(
      '{"visites":[{"produits":[],"actes":[{"animaux":[],"quantite":1,"code":"VIS"}],"elevage":{"nom":"x","numero":"FR1"},"veterinaire":{"nom":"n","id":"v"},"date":"2026-11-20","compte":"a1","id":"1","ajout":true}],"lot":"L"}',
    );
    expect((await fingerprintBatch(reordered)).visits).toEqual((await fingerprintBatch(sent)).visits);
    expect((await fingerprintBatch([visit('1', 2)])).visits['a1/1']).not.toBe(
      (await fingerprintBatch(sent)).visits['a1/1'],
    );
  });

  it('does not compare with a fingerprint stored by the earlier per-visit SHA-256 scheme', async () => {
    const now = (await fingerprintBatch([visit('1')])).fingerprint;
    const earlier = 'c0ffee'.repeat(10);
    expect(comparableFingerprints(earlier, now)).toBe(false);
    expect(comparableFingerprints(now, (await fingerprintBatch([visit('2')])).fingerprint)).toBe(true);
  });
});
