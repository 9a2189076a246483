import type { Flash } from '@hip/shared';
import type { ImportResult } from '../import/importer.ts';
import type { ImportSource } from '../import/sessions.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * What "Import now" did, in the words the page shows: how many visits came in, or why none did.
 * A SaaS account is imported with its editor's grouped batch, so the message says so: the counts
 * are those of every account of the editor.
 */
export function describeImport(account: string, source: ImportSource, result: ImportResult): Flash {
  const who = source.kind === 'editor' ? `${account} (grouped batch of editor ${source.id})` : account;
  switch (result.status) {
    case 'busy':
      return { tone: 'error', text: `${who} is being imported by another replica; try again shortly.` };
    case 'failed':
      return { tone: 'error', text: `Import of ${who} failed: ${result.error ?? 'unknown error'}` };
    case 'held':
      return {
        tone: 'error',
        text: `Import of ${who} stored ${plural(result.visitsNew, 'new visit')} but holds the batch: ${result.error ?? ''}`,
      };
    case 'ok': {
      if (result.visitsSeen === 0)
        return { tone: 'ok', text: `Nothing new to import for ${who}: Vétélevage has no visit waiting.` };
      const parts = [plural(result.visitsNew, 'new visit')];
      if (result.visitsUpdated > 0) parts.push(`${plural(result.visitsUpdated, 'visit')} updated`);
      if (result.visitsRejected > 0)
        parts.push(`${plural(result.visitsRejected, 'visit')} kept aside (not matching the contract)`);
      const seenAgain = result.visitsSeen - result.visitsNew - result.visitsUpdated - result.visitsRejected;
      if (seenAgain > 0) parts.push(`${plural(seenAgain, 'visit')} already imported`);
      return { tone: 'ok', text: `Imported for ${who}: ${parts.join(', ')}.` };
    }
  }
}
