import type { Flash } from '@hip/shared';
import type { DocumentView } from '../service-api.ts';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What the Retry button did, said from the document's state once the retry has run. */
export function retryOutcome(id: string, doc: DocumentView | undefined): Flash {
  if (!doc) return { tone: 'error', text: `Document ${id} no longer exists.` };
  switch (doc.status) {
    case 'converted':
      return { tone: 'ok', text: `Document ${id} converted and written to the share.` };
    case 'missing-signature':
    case 'missing-letterhead':
      return {
        tone: 'error',
        text: `Document ${id} is still parked (${doc.status}): ${doc.error ?? 'the file is still missing'}. Upload it on the "Parked by doctor" page.`,
      };
    case 'failed':
      return { tone: 'error', text: `Document ${id} failed again: ${doc.error ?? 'unknown error'}` };
    case 'queued':
      return {
        tone: 'ok',
        text: `Document ${id} is queued again and will be converted automatically${doc.error ? ` (${doc.error})` : ''}.`,
      };
  }
}

/** Why the Retry button does nothing for a document in this state. */
export function retryRefusal(id: string, doc: DocumentView | undefined): Flash | undefined {
  if (!doc) return { tone: 'error', text: `No document ${id}: nothing to retry.` };
  if (doc.status === 'converted' || doc.status === 'queued')
    return {
      tone: 'error',
      text: `Document ${id} is ${doc.status}: only failed or parked documents are retried.`,
    };
  return undefined;
}

/** What an accepted signature or letterhead upload did. */
export function uploadOutcome(kind: 'signature' | 'letterhead', doctorId: string, released: string[]): Flash {
  const stored = `${kind === 'signature' ? 'Signature' : 'Letterhead'} stored for doctor ${doctorId}`;
  return {
    tone: 'ok',
    text:
      released.length === 0
        ? `${stored}; no parked document was waiting for it.`
        : `${stored}; ${plural(released.length, 'parked document')} released for conversion: ${released.join(', ')}.`,
  };
}

/** Why an upload was refused, for the operator who chose the file. */
export function uploadRefusal(kind: 'signature' | 'letterhead', doctorId: string, reason: string): Flash {
  // Validation messages already start with "signature refused: "; the sentence says it once.
  const why = reason.replace(new RegExp(`^${kind} refused: `), '');
  const what = kind === 'signature' ? 'Signature' : 'Letterhead';
  return { tone: 'error', text: `${what} refused for doctor ${doctorId}, nothing was stored: ${why}` };
}
