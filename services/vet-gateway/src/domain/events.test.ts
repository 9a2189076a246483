import { describe, expect, it } from 'vitest';
import { makeVisits } from '../../sim/catalogue.ts';
import type { Visit } from '../adapters/vetelevage/contract.ts';
import { visitLinesOf } from './billing.ts';
import { chunkForEvents, EVENT_MAX_BYTES, estimateJsonBytes } from './events.ts';

const context = { mappings: new Map<string, string>(), actCodes: null };
const linesOf = (visits: Visit[]) => visits.map((v) => visitLinesOf(v, context));
const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

/** A herd visit: one vaccination act over `animals` animals. */
const herdVisit = (id: string, animals: number): Visit => ({
  id,
  compte: 'a1',
  date: '2026-11-20',
  veterinaire: { id: 'v1', nom: 'Dr Lefèvre' },
  elevage: { numero: 'FR35123456', nom: 'GAEC des Prés' },
  actes: [
    {
      code: 'VAC',
      quantite: animals,
      animaux: Array.from({ length: animals }, (_, i) => `FR35${String(i).padStart(8, '0')}`),
    },
  ],
  produits: [],
});

describe('events of imported visits', () => {
  it('estimates the JSON size of a visit at least at its real size', () => {
    const visits = [
      ...linesOf(makeVisits('a1', 20, { seed: 's', linesPerVisit: 12 })),
      ...linesOf([herdVisit('H1', 300)]),
    ];
    for (const visit of visits) expect(estimateJsonBytes(visit)).toBeGreaterThanOrEqual(jsonBytes(visit));
  });

  it('keeps every event under the size budget, whatever the number of lines per visit', () => {
    // 150 herd visits of 1,000 animals: 100 of them would make a 1.5 MB message, over NATS's 1 MB.
    const visits = linesOf(Array.from({ length: 150 }, (_, i) => herdVisit(`H${i}`, 1_000)));
    const chunks = chunkForEvents(visits);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) expect(jsonBytes(chunk)).toBeLessThanOrEqual(EVENT_MAX_BYTES);
    // In order, none lost, none twice.
    expect(chunks.flat().map((v) => v.visitId)).toEqual(visits.map((v) => v.visitId));
  });

  it('puts at most 100 visits in an event', () => {
    const visits = linesOf(makeVisits('a1', 250, { seed: 's', linesPerVisit: 2 }));
    expect(chunkForEvents(visits).map((c) => c.length)).toEqual([100, 100, 50]);
  });

  it('gives a visit larger than the budget an event of its own rather than dropping it', () => {
    const visits = linesOf([herdVisit('small-1', 1), herdVisit('huge', 2_000), herdVisit('small-2', 1)]);
    const chunks = chunkForEvents(visits, { maxBytes: 20_000 });
    expect(chunks.map((c) => c.map((v) => v.visitId))).toEqual([['small-1'], ['huge'], ['small-2']]);
  });
});
