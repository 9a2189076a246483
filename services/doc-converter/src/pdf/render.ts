import fontkit from '@pdf-lib/fontkit';
import { EncryptedPDFError, PDFDocument, type PDFFont, rgb } from 'pdf-lib';
import { htmlToBlocks, type TextBlock, textToBlocks } from '../domain/html-blocks.ts';
import { contentMismatch, decodeText, type SupportedMediaType } from '../domain/media-type.ts';
import { pngProblem } from '../domain/png.ts';
import type { FontFiles } from './fonts.ts';
import { A4, MARGINS } from './layout.ts';

/** A document we refuse for what it is (wrong type, corrupt, encrypted): retrying will not help. */
export class UnconvertibleDocumentError extends Error {
  override name = 'UnconvertibleDocumentError';
}

/** The document as a PDF, before letterhead and signature. */
export async function renderToPdf(
  bytes: Uint8Array,
  mediaType: SupportedMediaType,
  fonts: FontFiles,
  meta: { title: string; declaredType?: string },
): Promise<PDFDocument> {
  const mismatch = contentMismatch(mediaType, bytes);
  if (mismatch) throw new UnconvertibleDocumentError(mismatch);
  switch (mediaType) {
    case 'application/pdf':
      return loadSourcePdf(bytes);
    case 'image/png':
    case 'image/jpeg':
      return imagePage(bytes, mediaType, meta);
    case 'text/plain':
      return textPages(textToBlocks(decodeOrRefuse(bytes, meta.declaredType ?? mediaType)), fonts, meta);
    case 'text/html':
      return textPages(htmlToBlocks(decodeOrRefuse(bytes, meta.declaredType ?? mediaType)), fonts, meta);
  }
}

function decodeOrRefuse(bytes: Uint8Array, declaredType: string): string {
  const decoded = decodeText(bytes, declaredType);
  if (decoded.problem !== undefined) throw new UnconvertibleDocumentError(decoded.problem);
  return decoded.text;
}

async function loadSourcePdf(bytes: Uint8Array): Promise<PDFDocument> {
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    if (doc.getPageCount() === 0) throw new UnconvertibleDocumentError('the source PDF has no page');
    return doc;
  } catch (error) {
    if (error instanceof UnconvertibleDocumentError) throw error;
    if (error instanceof EncryptedPDFError) {
      throw new UnconvertibleDocumentError('the source PDF is encrypted; cpv2 must send it unprotected');
    }
    throw new UnconvertibleDocumentError(`the source PDF cannot be parsed: ${(error as Error).message}`);
  }
}

async function imagePage(bytes: Uint8Array, type: 'image/png' | 'image/jpeg', meta: { title: string }) {
  if (type === 'image/png') {
    const problem = await pngProblem(bytes);
    if (problem) throw new UnconvertibleDocumentError(`the image/png image cannot be decoded: ${problem}`);
  }
  const doc = await PDFDocument.create();
  doc.setTitle(meta.title);
  let image: Awaited<ReturnType<PDFDocument['embedPng']>>;
  try {
    image = type === 'image/png' ? await doc.embedPng(bytes) : await doc.embedJpg(bytes);
  } catch (error) {
    throw new UnconvertibleDocumentError(`the ${type} image cannot be decoded: ${(error as Error).message}`);
  }
  const page = doc.addPage([A4.width, A4.height]);
  const box = { width: A4.width - 2 * MARGINS.side, height: A4.height - MARGINS.top - MARGINS.bottom };
  const scale = Math.min(box.width / image.width, box.height / image.height, 1.5);
  const w = image.width * scale;
  const h = image.height * scale;
  page.drawImage(image, { x: (A4.width - w) / 2, y: A4.height - MARGINS.top - h, width: w, height: h });
  return doc;
}

const SIZES = { heading: 14, paragraph: 11, item: 11 } as const;

/** Lays paragraphs out on A4 with an embedded Unicode font, wrapping words and adding pages. */
async function textPages(blocks: TextBlock[], fonts: FontFiles, meta: { title: string }) {
  const doc = await PDFDocument.create();
  doc.setTitle(meta.title);
  doc.registerFontkit(fontkit);
  const regular = await doc.embedFont(fonts.regular, { subset: true });
  const bold = await doc.embedFont(fonts.bold, { subset: true });
  const maxWidth = A4.width - 2 * MARGINS.side;
  let page = doc.addPage([A4.width, A4.height]);
  let y = A4.height - MARGINS.top;
  const newLine = (height: number) => {
    if (y - height < MARGINS.bottom) {
      page = doc.addPage([A4.width, A4.height]);
      y = A4.height - MARGINS.top;
    }
    y -= height;
  };
  for (const block of blocks.length > 0 ? blocks : [{ text: ' ', style: 'paragraph' as const }]) {
    const size = SIZES[block.style];
    const font = block.style === 'heading' ? bold : regular;
    const indent = block.style === 'item' ? 14 : 0;
    const lines = block.text.split('\n').flatMap((l) => wrap(l, font, size, maxWidth - indent));
    lines.forEach((line, i) => {
      newLine(size * 1.35);
      if (block.style === 'item' && i === 0)
        page.drawText('•', { x: MARGINS.side + 2, y, size, font: regular });
      page.drawText(line, { x: MARGINS.side + indent, y, size, font, color: rgb(0.07, 0.07, 0.1) });
    });
    y -= size * 0.6;
  }
  return doc;
}

function wrap(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const words = text.split(/ +/);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= maxWidth || !line) {
      line = candidate;
    } else {
      lines.push(line);
      line = word;
    }
    // A single word wider than the line (a URL) is cut rather than overflowing the page.
    while (font.widthOfTextAtSize(line, size) > maxWidth && line.length > 1) {
      let cut = line.length - 1;
      while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > maxWidth) cut--;
      lines.push(line.slice(0, cut));
      line = line.slice(cut);
    }
  }
  lines.push(line);
  return lines;
}
