/** U+FFFD REPLACEMENT CHARACTER: shows where a character could not be kept. */
const REPLACEMENT = '\uFFFD';

/**
 * A partner's JSON with every NUL character (U+0000) replaced by U+FFFD. PostgreSQL text and
 * jsonb cannot hold NUL: one such character in a partner's batch would make the whole batch
 * fail on every run. Replacing it keeps the record, and the mark stays visible.
 */
export function withoutNulCharacters<T>(value: T): T {
  if (typeof value === 'string')
    return (value.includes('\u0000') ? value.replaceAll('\u0000', REPLACEMENT) : value) as T;
  if (Array.isArray(value)) return value.map(withoutNulCharacters) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[withoutNulCharacters(key)] = withoutNulCharacters(v);
    return out as T;
  }
  return value;
}
