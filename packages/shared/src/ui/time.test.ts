import { describe, expect, it } from 'vitest';
import { formatTimestamp } from './time.ts';

describe('formatTimestamp', () => {
  it('shows Paris time with its winter offset', () => {
    expect(formatTimestamp(new Date('2026-12-03T18:30:05Z'))).toBe('2026-12-03 19:30:05 +01:00');
  });
  it('shows Paris time with its summer offset, from an ISO string', () => {
    expect(formatTimestamp('2026-07-01T23:15:00Z')).toBe('2026-07-02 01:15:00 +02:00');
  });
  it('gives back what is not a date unchanged', () => {
    expect(formatTimestamp('not a date')).toBe('not a date');
  });
});
