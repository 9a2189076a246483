import type { VisitLines } from './billing.ts';

/**
 * Bus messages must stay under the broker's limit: NATS refuses more than 1 MB by default, and
 * the outbox relay would retry such an event for ever, holding back every later one. The
 * estimate below is pessimistic (about twice the real size for French text), so half the limit
 * leaves room.
 */
export const EVENT_MAX_BYTES = 512 * 1024;
/** Few enough visits that a consumer handles one event quickly. */
export const EVENT_MAX_VISITS = 100;

// Key names, punctuation and numbers of one line, and of one visit around its lines.
const LINE_OVERHEAD = 240;
const VISIT_OVERHEAD = 200;
// A UTF-16 code unit is at most 3 bytes of UTF-8 (control characters, escaped as \uXXXX, aside).
const text = (s: string | null) => (s === null ? 4 : 3 * s.length + 2);

/** A cheap upper estimate of the JSON size of a visit's lines, without serialising them. */
export function estimateJsonBytes(visit: VisitLines): number {
  let bytes = VISIT_OVERHEAD + text(visit.visitId) + text(visit.account) + text(visit.date);
  bytes += text(visit.veterinarian.id) + text(visit.veterinarian.name);
  bytes += text(visit.herd.number) + text(visit.herd.name);
  for (const line of visit.lines) {
    bytes += LINE_OVERHEAD + text(line.actCode) + text(line.vetelevageProductId) + text(line.lgcvProductId);
    bytes += text(line.label) + text(line.unit) + text(line.flag);
    for (const animal of line.animals) bytes += text(animal) + 1;
  }
  return bytes;
}

/**
 * Splits visits into event-sized groups, in order: at most `maxVisits` visits and about
 * `maxBytes` of JSON each. A single visit larger than `maxBytes` still gets an event of its own
 * (nothing is dropped).
 */
export function chunkForEvents<T extends VisitLines>(
  visits: Iterable<T>,
  limits: { maxBytes?: number; maxVisits?: number } = {},
): T[][] {
  const maxBytes = limits.maxBytes ?? EVENT_MAX_BYTES;
  const maxVisits = limits.maxVisits ?? EVENT_MAX_VISITS;
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const visit of visits) {
    const size = estimateJsonBytes(visit);
    if (current.length > 0 && (current.length >= maxVisits || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(visit);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
