import { describe, expect, it } from 'vitest';
import { actListDifferences, actListKey, actPushDue, actStatusChange, duplicateActCodes } from './acts.ts';

describe('act list rules', () => {
  it('refuses a list with a duplicate code, naming both positions', () => {
    expect(
      duplicateActCodes([
        { code: 'V1', label: 'Visite' },
        { code: 'V2', label: 'Vaccin' },
        { code: 'V1', label: 'Autre' },
      ]),
    ).toEqual([{ path: '/acts/2/code', message: 'duplicate act code "V1" (already at /acts/0/code)' }]);
  });

  it('accepts a list of unique codes', () => {
    expect(
      duplicateActCodes([
        { code: 'V1', label: 'a' },
        { code: 'V2', label: 'b' },
      ]),
    ).toEqual([]);
  });

  it('sees the same list in another order as unchanged', () => {
    expect(
      actListKey([
        { code: 'A', label: 'a' },
        { code: 'B', label: 'b' },
      ]),
    ).toBe(
      actListKey([
        { code: 'B', label: 'b' },
        { code: 'A', label: 'a' },
      ]),
    );
  });

  it('pushes when the list changed, when never pushed, and at least once per period', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const day = 86_400_000;
    expect(actPushDue({ currentKey: 'k2', pushedKey: 'k1', pushedAt: now }, now, day)).toBe(true);
    expect(actPushDue({ currentKey: 'k1', pushedKey: null, pushedAt: null }, now, day)).toBe(true);
    expect(
      actPushDue({ currentKey: 'k1', pushedKey: 'k1', pushedAt: new Date(now.getTime() - day) }, now, day),
    ).toBe(true);
    expect(
      actPushDue({ currentKey: 'k1', pushedKey: 'k1', pushedAt: new Date(now.getTime() - 1000) }, now, day),
    ).toBe(false);
  });

  it('lists what the server holds differently from what was sent', () => {
    expect(
      actListDifferences(
        [
          { code: 'A', label: 'a' },
          { code: 'B', label: 'b' },
        ],
        [
          { code: 'A', label: 'x' },
          { code: 'C', label: 'c' },
        ],
      ),
    ).toEqual([
      'act "A" is labelled "x" on the server',
      'act "B" is missing on the server',
      'act "C" is on the server but not in the LGCV list',
    ]);
  });

  it('tells which act codes change billing status when the list changes', () => {
    const list = (...codes: string[]) => codes.map((code) => ({ code, label: code }));
    // First list: every code outside it becomes unknown; list removed: those become accepted again.
    expect(actStatusChange(null, list('VIS', 'VAC'))).toEqual({ codesNotIn: ['VIS', 'VAC'] });
    expect(actStatusChange(list('VIS'), null)).toEqual({ codesNotIn: ['VIS'] });
    expect(actStatusChange(list('VIS', 'VAC'), list('VAC', 'CESAR'))).toEqual({ codesIn: ['CESAR', 'VIS'] });
    // Labels only, or order: no line changes.
    expect(actStatusChange(list('VIS', 'VAC'), list('VAC', 'VIS'))).toBeNull();
    expect(actStatusChange(null, null)).toBeNull();
  });
});
