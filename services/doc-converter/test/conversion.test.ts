import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleLetterheadPdf, sampleSignaturePng, sampleSourcePdf } from '../sim/sample-assets.ts';
import { prescriptionHtml } from '../sim/samples.ts';
import { type ConversionInput, convertDocument } from '../src/pdf/convert.ts';
import { loadFonts } from '../src/pdf/fonts.ts';
import { UnconvertibleDocumentError } from '../src/pdf/render.ts';
import { pdfImages, pdfPages, pdfText, qpdfCheck } from './fixtures.ts';

const run = promisify(execFile);

describe('conversion to PDF, checked with qpdf and poppler', () => {
  let dir: string;
  let base: Omit<ConversionInput, 'bytes' | 'mediaType'>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'convert-'));
    base = {
      title: 'test',
      letterhead: await sampleLetterheadPdf({ name: 'Centre Étoile', address: 'Paris', phone: '01' }),
      letterheadPages: 'first',
      signatureImage: sampleSignaturePng(3),
      pades: undefined,
      fonts: await loadFonts(),
      now: new Date('2026-11-20T10:00:00Z'),
    };
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const convertToFile = async (name: string, bytes: Uint8Array, mediaType: ConversionInput['mediaType']) => {
    const result = await convertDocument({ ...base, bytes, mediaType });
    const path = join(dir, name);
    await writeFile(path, result.pdf);
    await qpdfCheck(path);
    return { path, result };
  };

  it('lays out simple HTML with accents, œ and € as real text', async () => {
    const html = prescriptionHtml('Dr Lefèvre', {
      id: 'P',
      lastName: 'Lœwenbruck',
      firstName: 'François',
      birthDate: '1962-07-28',
    });
    const { path } = await convertToFile('html.pdf', new TextEncoder().encode(html), 'text/html');
    const text = await pdfText(path);
    expect(text).toContain('Ordonnance');
    expect(text).toContain('François Lœwenbruck');
    expect(text).toContain('180 €');
    expect(text).toContain('Centre Étoile');
    expect(text).not.toContain('<li>');
  });

  it('wraps a long letter onto several pages and signs the last one', async () => {
    const text = Array.from(
      { length: 120 },
      (_, i) => `Paragraphe ${i + 1} : acuité visuelle corrigée à 10/10.`,
    ).join('\n\n');
    const { path, result } = await convertToFile('long.pdf', new TextEncoder().encode(text), 'text/plain');
    expect(result.pages).toBeGreaterThan(2);
    expect(await pdfPages(path)).toBe(result.pages);
    expect((await pdfImages(path)).map((i) => i.page)).toEqual([result.pages]);
    expect(await pdfText(path, result.pages)).toContain('Paragraphe 120');
  });

  it('turns a JPEG (made by poppler) into an A4 page with the image', async () => {
    const source = join(dir, 'source.pdf');
    await writeFile(source, await sampleSourcePdf(1));
    await run('pdftoppm', ['-jpeg', '-r', '20', '-singlefile', source, join(dir, 'scan')]);
    const jpeg = new Uint8Array(await readFile(join(dir, 'scan.jpg')));
    const { path } = await convertToFile('jpeg.pdf', jpeg, 'image/jpeg');
    const images = await pdfImages(path);
    expect(images).toHaveLength(2);
    expect(images[0]).toMatchObject({ page: 1 });
  });

  it('refuses an encrypted PDF (made by qpdf) with a clear reason', async () => {
    const plain = join(dir, 'plain.pdf');
    const locked = join(dir, 'locked.pdf');
    await writeFile(plain, await sampleSourcePdf(1));
    await run('qpdf', ['--encrypt', 'user', 'owner', '256', '--', plain, locked]);
    await expect(
      convertDocument({
        ...base,
        bytes: new Uint8Array(await readFile(locked)),
        mediaType: 'application/pdf',
      }),
    ).rejects.toThrow(/encrypted/);
  });

  it('refuses a corrupt PDF naming the parse failure', async () => {
    const bytes = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog >>\n%%EOF');
    await expect(convertDocument({ ...base, bytes, mediaType: 'application/pdf' })).rejects.toBeInstanceOf(
      UnconvertibleDocumentError,
    );
  });

  it('decodes a windows-1252 letter with its declared charset, as plain text and as HTML <meta charset>', async () => {
    const letter = Buffer.from('Coût : 25 € — réfraction', 'latin1');
    // 'latin1' in Node is ISO-8859-1: write € and — as their windows-1252 bytes.
    const cp1252 = new Uint8Array(Buffer.from('Coût : 25 \x80 \x97 réfraction', 'latin1'));
    expect(letter.length).toBe(cp1252.length);
    const text = await convertDocument({
      ...base,
      bytes: cp1252,
      mediaType: 'text/plain',
      declaredType: 'text/plain; charset="windows-1252"',
    });
    await writeFile(join(dir, 'cp1252.pdf'), text.pdf);
    expect(await pdfText(join(dir, 'cp1252.pdf'))).toContain('Coût : 25 € — réfraction');
    const html = new Uint8Array(
      Buffer.from('<html><head><meta charset="windows-1252"></head><p>Acuit\xe9 \x9cil</p></html>', 'latin1'),
    );
    const page = await convertDocument({ ...base, bytes: html, mediaType: 'text/html' });
    await writeFile(join(dir, 'html1252.pdf'), page.pdf);
    expect(await pdfText(join(dir, 'html1252.pdf'))).toContain('Acuité œil');
  });

  it('refuses text that is not valid in its charset, or whose charset is unknown, instead of garbling it', async () => {
    const cp1252 = new Uint8Array(Buffer.from('Acuit\xe9', 'latin1'));
    await expect(convertDocument({ ...base, bytes: cp1252, mediaType: 'text/plain' })).rejects.toThrow(
      'the text is not valid UTF-8 and declares no charset',
    );
    await expect(
      convertDocument({
        ...base,
        bytes: cp1252,
        mediaType: 'text/plain',
        declaredType: 'text/plain; charset=utf-8',
      }),
    ).rejects.toThrow('the text is not valid utf-8 (its declared charset)');
    await expect(
      convertDocument({
        ...base,
        bytes: cp1252,
        mediaType: 'text/html',
        declaredType: 'text/html; charset=klingon',
      }),
    ).rejects.toBeInstanceOf(UnconvertibleDocumentError);
    await expect(
      convertDocument({
        ...base,
        bytes: cp1252,
        mediaType: 'text/html',
        declaredType: 'text/html; charset=klingon',
      }),
    ).rejects.toThrow('charset "klingon" is unknown');
  });
});
