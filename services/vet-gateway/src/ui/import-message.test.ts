import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../import/importer.ts';
import { describeImport } from './import-message.ts';

const result = (over: Partial<ImportResult>): ImportResult => ({
  source: 'account:a1',
  status: 'ok',
  batches: 1,
  visitsSeen: 0,
  visitsNew: 0,
  visitsUpdated: 0,
  visitsRejected: 0,
  ...over,
});
const vet = { kind: 'account', id: 'a1' } as const;

describe('the message of Import now', () => {
  it('counts the new, updated and kept-aside visits', () => {
    expect(
      describeImport('a1', vet, result({ visitsSeen: 5, visitsNew: 3, visitsUpdated: 1, visitsRejected: 1 })),
    ).toEqual({
      tone: 'ok',
      text: 'Imported for a1: 3 new visits, 1 visit updated, 1 visit kept aside (not matching the contract).',
    });
  });

  it('says when Vétélevage had nothing waiting', () => {
    expect(describeImport('a1', vet, result({ batches: 0 }))).toEqual({
      tone: 'ok',
      text: 'Nothing new to import for a1: Vétélevage has no visit waiting.',
    });
  });

  it('names the editor of a SaaS account, whose grouped batch is what gets imported', () => {
    expect(
      describeImport('s1', { kind: 'editor', id: 'ed' }, result({ visitsSeen: 1, visitsNew: 1 })).text,
    ).toBe('Imported for s1 (grouped batch of editor ed): 1 new visit.');
  });

  it('reports a failure with its reason as an error', () => {
    expect(
      describeImport('a1', vet, result({ status: 'failed', error: 'Vétélevage refused the credentials' })),
    ).toEqual({ tone: 'error', text: 'Import of a1 failed: Vétélevage refused the credentials' });
  });

  it('reports another replica holding the import as an error to retry', () => {
    expect(describeImport('a1', vet, result({ status: 'busy' })).tone).toBe('error');
  });
});
