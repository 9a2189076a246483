import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { samplePatientXml } from './patient-xml.ts';
import { encodePng } from './png-encoder.ts';
import { sampleLetterheadPdf, sampleSignaturePng } from './sample-assets.ts';
import { SAMPLE_DOCTORS } from './samples.ts';

export interface DemoFolders {
  exportRoot: string;
  assetsRoot: string;
  intakeDir: string;
}

/**
 * The folders of the single-process demo under `<root>`: assets generated in code (letterheads
 * for every sample doctor, signatures for all but one) and a few patient XML exports in the
 * intake folder, including the two faults the seed lists and a hostile one.
 */
export async function prepareDemo(root: string): Promise<DemoFolders> {
  const folders = {
    exportRoot: resolve(root, 'export'),
    assetsRoot: resolve(root, 'assets'),
    intakeDir: resolve(root, 'intake'),
  };
  await mkdir(join(folders.assetsRoot, 'entete'), { recursive: true });
  await mkdir(join(folders.assetsRoot, 'signature'), { recursive: true });
  await mkdir(folders.exportRoot, { recursive: true });
  await mkdir(folders.intakeDir, { recursive: true });
  for (const doctor of SAMPLE_DOCTORS) {
    await writeFile(
      join(folders.assetsRoot, 'entete', `${doctor.id}.pdf`),
      await sampleLetterheadPdf(doctor.centre),
    );
    if (doctor.hasSignature) {
      await writeFile(
        join(folders.assetsRoot, 'signature', `62_${doctor.id}.png`),
        sampleSignaturePng(Number(doctor.id)),
      );
    }
  }
  const image = Buffer.from(
    encodePng({ width: 16, height: 16, alpha: false, pixel: (x, y) => [200 - x * 8, 40 + y * 8, 60] }),
  ).toString('base64');
  const exports: [string, string][] = [
    ['tcs_12_P-100231.xml', samplePatientXml({ images: [{ name: 'OD.png', base64: image }] })],
    [
      'tcs_12_P-100877.xml',
      samplePatientXml({ patientId: 'P-100877', conclusion: 'Cataracte OD & OG débutante' }),
    ],
    [
      'tcs_12_P-101455.xml',
      samplePatientXml({
        patientId: 'P-101455',
        images: [
          { name: 'retinographie.png', base64: image },
          { name: 'retinographie.png', base64: image },
        ],
      }),
    ],
    [
      'tcs_12_hostile.xml',
      '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<dossierTCS>&x;</dossierTCS>\n',
    ],
  ];
  for (const [name, xml] of exports) {
    // Hidden name then rename, as the export job must do: the intake polls the folder.
    await writeFile(join(folders.intakeDir, `.${name}.part`), xml);
    await rename(join(folders.intakeDir, `.${name}.part`), join(folders.intakeDir, name));
  }
  return folders;
}
