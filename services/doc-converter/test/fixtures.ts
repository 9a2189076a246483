import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GeneratedDocument } from '@hip/shared/schemas';
import { sampleLetterheadPdf, sampleSignaturePng } from '../sim/sample-assets.ts';

const run = promisify(execFile);

export interface Workspace {
  dir: string;
  exportRoot: string;
  assetsRoot: string;
  intakeDir: string;
  env: Record<string, string>;
  addLetterhead(doctorId: string, name?: string): Promise<void>;
  addSignature(doctorId: string): Promise<void>;
  /** Every file under the workspace, relative paths, to prove nothing was written elsewhere. */
  files(): Promise<string[]>;
  remove(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const dir = await mkdtemp(join(tmpdir(), 'doc-converter-'));
  const exportRoot = join(dir, 'export');
  const assetsRoot = join(dir, 'assets');
  const intakeDir = join(dir, 'intake');
  await mkdir(join(assetsRoot, 'entete'), { recursive: true });
  await mkdir(join(assetsRoot, 'signature'), { recursive: true });
  return {
    dir,
    exportRoot,
    assetsRoot,
    intakeDir,
    env: { EXPORT_ROOT: exportRoot, ASSETS_ROOT: assetsRoot, SWEEP_EVERY_MS: '600000' },
    async addLetterhead(doctorId, name = `Centre Ophtalmologique ${doctorId}`) {
      const pdf = await sampleLetterheadPdf({
        name,
        address: '1 place Bellecour, 69002 Lyon',
        phone: '04 00 00 00 00',
      });
      await writeFile(join(assetsRoot, 'entete', `${doctorId}.pdf`), pdf);
    },
    async addSignature(doctorId) {
      await writeFile(
        join(assetsRoot, 'signature', `62_${doctorId}.png`),
        sampleSignaturePng(Number(doctorId) || 1),
      );
    },
    async files() {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true });
      return entries
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
        .sort();
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

let counter = 0;
export function uniqueDocId(prefix = 'DOC'): string {
  counter++;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 6)}`;
}

export function cpv2Document(
  overrides: Partial<GeneratedDocument> & { text?: string } = {},
): GeneratedDocument {
  const { text, ...rest } = overrides;
  return {
    id: uniqueDocId(),
    kind: 'courrier',
    doctorId: '42',
    centreId: '62',
    windowsLogin: 'mlefevre',
    patient: { id: 'P-1', lastName: 'Dupré', firstName: 'Hélène', birthDate: '1948-03-12' },
    createdAt: '2026-11-20T09:30:00+01:00',
    content: {
      mediaType: 'text/plain; charset=utf-8',
      base64: Buffer.from(
        text ?? 'Cher confrère,\n\nLe fond d’œil est normal. Coût : 25 €. Efﬁcace.',
      ).toString('base64'),
    },
    ...rest,
  };
}

export const jsonPost = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Independent PDF tools (qpdf, poppler): our output is checked by parsers we did not write. */
export async function qpdfCheck(path: string): Promise<string> {
  const { stdout } = await run('/usr/bin/qpdf', ['--check', path]);
  return stdout;
}

export async function pdfText(path: string, page?: number): Promise<string> {
  const range = page ? ['-f', String(page), '-l', String(page)] : [];
  const { stdout } = await run('pdftotext', [...range, '-enc', 'UTF-8', path, '-']);
  return stdout;
}

/** `pdfimages -list` rows: page number and image size of every image. */
export async function pdfImages(
  path: string,
): Promise<{ page: number; type: string; width: number; height: number }[]> {
  const { stdout } = await run('pdfimages', ['-list', path]);
  return stdout
    .split('\n')
    .slice(2)
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s+/))
    .map((c) => ({ page: Number(c[0]), type: c[2] ?? '', width: Number(c[3]), height: Number(c[4]) }))
    .filter((i) => i.type === 'image');
}

export async function pdfPages(path: string): Promise<number> {
  const { stdout } = await run('pdfinfo', [path]);
  return Number(/Pages:\s+(\d+)/.exec(stdout)?.[1]);
}
