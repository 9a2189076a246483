export interface CatalogueEntry {
  lgcvId: string;
  name: string;
  /** 14-digit GTIN, or null. */
  gtin14: string | null;
}

export interface Suggestion {
  lgcvId: string;
  name: string;
  reason: 'gtin' | 'name';
  /** 1 for a GTIN match; the name similarity (0..1) otherwise. */
  score: number;
}

const STOP_WORDS = new Set(['de', 'du', 'des', 'la', 'le', 'les', 'et', 'pour', 'a', 'en']);

/** Lower case, no accents, tokens of letters and digits (so "10%" and "10 %" meet). */
export function nameTokens(name: string): Set<string> {
  const plain = name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
  return new Set(plain.split(/[^a-z0-9]+/).filter((t) => t.length > 0 && !STOP_WORDS.has(t)));
}

function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const t of a) if (b.has(t)) common++;
  return common / (a.size + b.size - common);
}

/**
 * Candidate LGCV products for a Vétélevage product: same GTIN first (certain), then by name
 * (a hint for the vet to confirm). Clinic-specific products have no GTIN, so the name is all
 * there is to go on; once confirmed, the mapping by Vétélevage id makes this a one-time task.
 */
export function suggestMatches(
  product: { gtin14: string | null; label: string },
  catalogue: readonly CatalogueEntry[],
  options: { limit?: number; minScore?: number } = {},
): Suggestion[] {
  const limit = options.limit ?? 3;
  const minScore = options.minScore ?? 0.34;
  const byGtin: Suggestion[] = product.gtin14
    ? catalogue
        .filter((c) => c.gtin14 === product.gtin14)
        .map((c) => ({ lgcvId: c.lgcvId, name: c.name, reason: 'gtin', score: 1 }))
    : [];
  const taken = new Set(byGtin.map((s) => s.lgcvId));
  const tokens = nameTokens(product.label);
  const byName = catalogue
    .filter((c) => !taken.has(c.lgcvId))
    .map((c) => ({
      lgcvId: c.lgcvId,
      name: c.name,
      reason: 'name' as const,
      score: similarity(tokens, nameTokens(c.name)),
    }))
    .filter((s) => s.score >= minScore)
    .sort((a, b) => b.score - a.score || a.lgcvId.localeCompare(b.lgcvId));
  return [...byGtin, ...byName].slice(0, limit);
}
