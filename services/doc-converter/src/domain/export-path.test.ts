import { describe, expect, it } from 'vitest';
import { documentFileName, windowsLoginProblem } from './export-path.ts';

describe('Windows login of the export folder', () => {
  it.each([
    ['..', 'contains ".."'],
    ['../etc', 'path separator'],
    ['a/b', 'path separator'],
    ['a\\b', 'path separator'],
    ['dr\u0000x', 'control character'],
    ['dr\nx', 'control character'],
    ['CON', 'reserved Windows device name'],
    ['con', 'reserved Windows device name'],
    ['LPT1', 'reserved Windows device name'],
    ['nul.txt', 'reserved Windows device name'],
    ['x'.repeat(65), 'at most 64'],
    ['', 'empty'],
    ['jdupont.', 'ends with a dot'],
    ['j:dupont', 'forbids'],
    ['.hidden', 'must start with a letter or digit'],
    ['jean dupont', 'must start with a letter or digit and contain only'],
  ])('refuses the hostile login %j', (login, reason) => {
    expect(windowsLoginProblem(login)).toContain(reason);
  });

  it.each(['jdupont', 'j.dupont', 'DUPONT_J', 'dr-martin2', 'console'])('accepts the login %j', (login) => {
    expect(windowsLoginProblem(login)).toBeUndefined();
  });
});

describe('document file name', () => {
  const doc = {
    id: 'DOC-981',
    kind: 'ordonnance' as const,
    createdAt: '2026-11-20T09:30:00+01:00',
    patient: { id: 'P1', lastName: "Lefèvre-d'Œuvray", firstName: 'Élodie', birthDate: '1950-02-03' },
  };

  it('is date_kind_patient_documentId.pdf with an ASCII-folded last name and initial', () => {
    expect(documentFileName(doc)).toBe('2026-11-20_ordonnance_LEFEVRE-DOEUVRAY-E_DOC-981.pdf');
  });

  it('keeps no birth date, patient id or path characters', () => {
    const name = documentFileName({ ...doc, patient: { ...doc.patient, lastName: '../../x/..\\CON' } });
    expect(name).toBe('2026-11-20_ordonnance_XCON-E_DOC-981.pdf');
    expect(name).not.toContain('1950');
  });

  it('falls back to PATIENT when nothing of the name survives', () => {
    expect(documentFileName({ ...doc, patient: { ...doc.patient, lastName: '李', firstName: '明' } })).toBe(
      '2026-11-20_ordonnance_PATIENT_DOC-981.pdf',
    );
  });
});
