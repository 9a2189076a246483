import type { PDFDocument } from 'pdf-lib';
import { pngProblem } from '../domain/png.ts';
import { letterheadBox, signatureBox } from './layout.ts';
import { UnconvertibleDocumentError } from './render.ts';

export type LetterheadPages = 'first' | 'all';

/** Draws the first page of the letterhead PDF into the top margin, scaled to fit, keeping its ratio. */
export async function stampLetterhead(doc: PDFDocument, letterhead: Uint8Array, pages: LetterheadPages) {
  let embedded: Awaited<ReturnType<PDFDocument['embedPdf']>>[number];
  try {
    [embedded] = (await doc.embedPdf(letterhead, [0])) as [typeof embedded];
  } catch (error) {
    throw new UnconvertibleDocumentError(
      `the letterhead PDF cannot be embedded: ${(error as Error).message}`,
    );
  }
  const targets = pages === 'all' ? doc.getPages() : doc.getPages().slice(0, 1);
  for (const page of targets) {
    const box = letterheadBox(page.getSize());
    const scale = Math.min(box.width / embedded.width, box.height / embedded.height);
    const h = embedded.height * scale;
    page.drawPage(embedded, {
      x: box.x,
      y: box.y + (box.height - h),
      width: embedded.width * scale,
      height: h,
    });
  }
}

/** Draws the signature image at the signature spot of the last page. */
export async function stampSignature(doc: PDFDocument, png: Uint8Array) {
  // A file placed by hand skipped the upload checks: a corrupt one fails the document with the
  // reason (fixing the file and retrying helps; redelivering the same bytes never would).
  const problem = await pngProblem(png);
  if (problem) throw new UnconvertibleDocumentError(`the signature image cannot be used: ${problem}`);
  let image: Awaited<ReturnType<PDFDocument['embedPng']>>;
  try {
    image = await doc.embedPng(png);
  } catch (error) {
    throw new UnconvertibleDocumentError(
      `the signature image cannot be embedded: ${(error as Error).message}`,
    );
  }
  const page = doc.getPage(doc.getPageCount() - 1);
  const box = signatureBox(page.getSize());
  page.drawImage(image, box);
}
