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
 * The folders of the single-process demo, under `<root>` unless the user chose one (`chosen`,
 * from EXPORT_ROOT, ASSETS_ROOT, INTAKE_DIR). Only the demo's own folders get sample content:
 * assets generated in code (letterheads for every sample doctor, signatures for all but one)
 * and a few patient XML exports, including the two faults the seed lists and a hostile one. A
 * folder the user named is theirs: nothing is written to it.
 */
export async function prepareDemo(root: string, chosen: Partial<DemoFolders> = {}): Promise<DemoFolders> {
  const folders = {
    exportRoot: chosen.exportRoot ?? resolve(root, 'export'),
    assetsRoot: chosen.assetsRoot ?? resolve(root, 'assets'),
    intakeDir: chosen.intakeDir ?? resolve(root, 'intake'),
  };
  if (!chosen.exportRoot) await mkdir(folders.exportRoot, { recursive: true });
  if (!chosen.assetsRoot) await writeSampleAssets(folders.assetsRoot);
  if (!chosen.intakeDir) await writeSampleExports(folders.intakeDir);
  return folders;
}

async function writeSampleAssets(assetsRoot: string) {
  await mkdir(join(assetsRoot, 'entete'), { recursive: true });
  await mkdir(join(assetsRoot, 'signature'), { recursive: true });
  for (const doctor of SAMPLE_DOCTORS) {
    await writeFile(join(assetsRoot, 'entete', `${doctor.id}.pdf`), await sampleLetterheadPdf(doctor.centre));
    if (doctor.hasSignature) {
      await writeFile(
        join(assetsRoot, 'signature', `62_${doctor.id}.png`),
        sampleSignaturePng(Number(doctor.id)),
      );
    }
  }
}

async function writeSampleExports(intakeDir: string) {
  await mkdir(intakeDir, { recursive: true });
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
    await writeFile(join(intakeDir, `.${name}.part`), xml);
    await rename(join(intakeDir, `.${name}.part`), join(intakeDir, name));
  }
}
