import { describe, expect, it } from 'vitest';
import type { DocumentView } from '../service-api.ts';
import { retryOutcome, retryRefusal, uploadOutcome, uploadRefusal } from './action-messages.ts';

const doc = (over: Partial<DocumentView>): DocumentView => ({
  id: 'D1',
  kind: 'courrier',
  doctorId: '63',
  centreId: '62',
  windowsLogin: 'pgarnier',
  status: 'queued',
  outputPath: null,
  sha256: null,
  error: null,
  attempts: 0,
  source: 'bus',
  receivedAt: '2026-11-20T08:30:00.000Z',
  updatedAt: '2026-11-20T08:30:00.000Z',
  ...over,
});

describe('admin action messages', () => {
  it('says a retried document was converted, or why it is still parked or failed', () => {
    expect(retryOutcome('D1', doc({ status: 'converted' }))).toEqual({
      tone: 'ok',
      text: 'Document D1 converted and written to the share.',
    });
    const parked = retryOutcome(
      'D1',
      doc({ status: 'missing-signature', error: 'no signature for doctor 63' }),
    );
    expect(parked.tone).toBe('error');
    expect(parked.text).toContain('still parked (missing-signature): no signature for doctor 63');
    expect(retryOutcome('D1', doc({ status: 'failed', error: 'PNG truncated' })).text).toBe(
      'Document D1 failed again: PNG truncated',
    );
    expect(retryOutcome('D1', doc({ status: 'queued', error: 'will retry: EACCES' })).text).toContain(
      'queued again and will be converted automatically (will retry: EACCES)',
    );
  });

  it('refuses to retry a converted, queued or unknown document, saying why', () => {
    expect(retryRefusal('D1', doc({ status: 'converted' }))?.text).toBe(
      'Document D1 is converted: only failed or parked documents are retried.',
    );
    expect(retryRefusal('D9', undefined)?.text).toBe('No document D9: nothing to retry.');
    expect(retryRefusal('D1', doc({ status: 'failed' }))).toBeUndefined();
  });

  it('says how many parked documents an upload released, and why one was refused', () => {
    expect(uploadOutcome('signature', '63', ['D1', 'D2']).text).toBe(
      'Signature stored for doctor 63; 2 parked documents released for conversion: D1, D2.',
    );
    expect(uploadOutcome('letterhead', '63', []).text).toBe(
      'Letterhead stored for doctor 63; no parked document was waiting for it.',
    );
    expect(uploadRefusal('signature', '63', 'signature refused: the PNG is 10x10 px')).toEqual({
      tone: 'error',
      text: 'Signature refused for doctor 63, nothing was stored: the PNG is 10x10 px',
    });
    expect(uploadRefusal('letterhead', '63', 'no file was chosen').text).toBe(
      'Letterhead refused for doctor 63, nothing was stored: no file was chosen',
    );
  });
});
