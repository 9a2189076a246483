import { describe, expect, it } from 'vitest';
import { samplePatientXml } from '../../sim/patient-xml.ts';
import { dedupeImageNames, IntakeRejection, parsePatientXml } from './patient-xml.ts';

const png = Buffer.from('fake-image').toString('base64');

describe('patient XML intake parsing', () => {
  it('reads centre, patient, consultation and images', () => {
    const d = parsePatientXml(samplePatientXml({ images: [{ name: 'OD.jpg', base64: png }] }));
    expect(d.centre).toEqual({ id: '12', name: 'Point Vision Lyon Part-Dieu' });
    expect(d.patient).toMatchObject({
      id: 'P-100231',
      lastName: 'Dupré',
      birthDate: '1948-03-12',
      alaxioneId: 'ALX-778812',
    });
    expect(d.consultation.conclusion).toBe("Réfraction stable, fond d'œil à interpréter");
    expect(d.images).toEqual([
      {
        name: 'OD.jpg',
        originalName: 'OD.jpg',
        mediaType: 'image/jpeg',
        bytes: new Uint8Array(Buffer.from('fake-image')),
      },
    ]);
    expect(d.repairs).toEqual([]);
  });

  it('repairs a bare & in the conclusion and reports its line and column', () => {
    const xml = samplePatientXml({ conclusion: 'OD & OG: cataracte &amp; DMLA' });
    const d = parsePatientXml(xml);
    expect(d.consultation.conclusion).toBe('OD & OG: cataracte & DMLA');
    const line = xml.split('\n').findIndex((l) => l.includes('OD & OG')) + 1;
    const column = (xml.split('\n')[line - 1]?.indexOf('&') ?? 0) + 1;
    expect(d.repairs).toEqual([{ line, column, what: 'bare "&" escaped as "&amp;"' }]);
  });

  it('renames duplicate image names deterministically instead of failing', () => {
    const d = parsePatientXml(
      samplePatientXml({
        images: [
          { name: 'retino.jpg', base64: png },
          { name: 'retino.jpg', base64: png },
          { name: 'retino-2.jpg', base64: png },
          { name: 'RETINO.jpg', base64: png },
        ],
      }),
    );
    expect(d.images.map((i) => i.name)).toEqual([
      'retino.jpg',
      'retino-3.jpg',
      'retino-2.jpg',
      'RETINO-4.jpg',
    ]);
    expect(dedupeImageNames(['a', 'a', 'a'])).toEqual(['a', 'a-2', 'a-3']);
  });

  it('refuses a DTD (billion laughs) with its position', () => {
    const bomb =
      '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>\n<dossierTCS>&lol2;</dossierTCS>';
    expect(() => parsePatientXml(bomb)).toThrow(
      'DTD and entity declarations are refused (entity expansion and external entities) (line 2, column 1)',
    );
  });

  it('refuses an external entity', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><dossierTCS>&e;</dossierTCS>';
    expect(() => parsePatientXml(xxe)).toThrow(IntakeRejection);
  });

  it('reports malformed XML with line and column', () => {
    const broken = samplePatientXml().replace('</nom>', '</name>');
    try {
      parsePatientXml(broken);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(IntakeRejection);
      expect((error as IntakeRejection).message).toContain('malformed XML');
      expect((error as IntakeRejection).line).toBe(7);
    }
  });

  it('names the missing field', () => {
    expect(() =>
      parsePatientXml(samplePatientXml().replace(/<dateNaissance>.*<\/dateNaissance>/, '')),
    ).toThrow('missing patient/dateNaissance');
  });
});
