import type { FieldError } from '@hip/shared';

export interface LgcvAct {
  code: string;
  label: string;
}

/**
 * Duplicate codes in an act list, as field errors. Vétélevage returns the code inside visits to
 * say which act was done, so two acts with one code would make billing ambiguous: refused
 * before anything is sent.
 */
export function duplicateActCodes(acts: LgcvAct[]): FieldError[] {
  const firstIndex = new Map<string, number>();
  const errors: FieldError[] = [];
  acts.forEach((act, index) => {
    const key = act.code.trim();
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, index);
    else
      errors.push({
        path: `/acts/${index}/code`,
        message: `duplicate act code "${key}" (already at /acts/${first}/code)`,
      });
  });
  return errors;
}

/** Order-independent identity of an act list: a push happens only when it changes. */
export function actListKey(acts: LgcvAct[]): string {
  return JSON.stringify([...acts].map((a) => [a.code.trim(), a.label.trim()]).sort());
}

/** What the server holds that differs from what we sent, in words (empty when they agree). */
export function actListDifferences(sent: LgcvAct[], held: LgcvAct[]): string[] {
  const heldByCode = new Map(held.map((a) => [a.code, a.label]));
  const sentCodes = new Set(sent.map((a) => a.code));
  const out: string[] = [];
  for (const act of sent) {
    const label = heldByCode.get(act.code);
    if (label === undefined) out.push(`act "${act.code}" is missing on the server`);
    else if (label !== act.label) out.push(`act "${act.code}" is labelled "${label}" on the server`);
  }
  for (const act of held)
    if (!sentCodes.has(act.code)) out.push(`act "${act.code}" is on the server but not in the LGCV list`);
  return out;
}

/** A push is due when the list changed since the last verified push, or the last one is too old. */
export function actPushDue(
  state: { currentKey: string; pushedKey: string | null; pushedAt: Date | null },
  now: Date,
  maxAgeMs: number,
): boolean {
  if (state.pushedKey !== state.currentKey || !state.pushedAt) return true;
  return now.getTime() - state.pushedAt.getTime() >= maxAgeMs;
}

/**
 * Which act codes change billing status when the LGCV list goes from `before` to `after`
 * (null: no list yet, every code accepted): the codes in one list only, or, when one side has
 * no list, every code outside the other.
 */
export type ActStatusChange = { codesIn: string[] } | { codesNotIn: string[] } | null;

export function actStatusChange(before: LgcvAct[] | null, after: LgcvAct[] | null): ActStatusChange {
  if (!before && !after) return null;
  if (!before || !after) return { codesNotIn: (before ?? after ?? []).map((a) => a.code) };
  const was = new Set(before.map((a) => a.code));
  const is = new Set(after.map((a) => a.code));
  const changed = [...is].filter((c) => !was.has(c)).concat([...was].filter((c) => !is.has(c)));
  return changed.length > 0 ? { codesIn: changed.sort() } : null;
}
