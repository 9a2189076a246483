import type { ReceivedBatch } from '../adapters/vetelevage/contract.ts';

/** Account and editor ids go into subjects and lease names: letters, digits, `-` and `_` only. */
export const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const ACCOUNT_ID_RULE = 'must be 1-64 letters, digits, - or _';

/**
 * Veterinarian mode: the token is scoped to one account, so every visit must be tagged with it.
 * One tagged with another account would be filed and billed under the wrong practice: the
 * visits of the batch that say so, as `visit id -> compte` (empty when the batch is consistent).
 */
export function foreignVisits(accountId: string, batch: ReceivedBatch): string[] {
  const foreign: string[] = [];
  for (const v of batch.visites) if (v.compte !== accountId) foreign.push(`${v.id} -> ${v.compte}`);
  for (const r of batch.rejected)
    if (r.compte !== null && r.compte !== accountId)
      foreign.push(`${r.visitId ?? `#${r.position}`} -> ${r.compte}`);
  return foreign;
}

/** Raised when a vet-mode batch holds visits of another account: nothing of it is stored. */
export class AccountMismatchError extends Error {
  override name = 'AccountMismatchError';
  constructor(accountId: string, lot: string, foreign: readonly string[]) {
    super(
      `batch ${lot} of account ${accountId} holds ${foreign.length} visit(s) tagged with another account (${foreign
        .slice(0, 5)
        .join(
          ', ',
        )}${foreign.length > 5 ? ', ...' : ''}): nothing stored, the batch stays in Vétélevage until the account credentials or Vétélevage are fixed`,
    );
  }
}
