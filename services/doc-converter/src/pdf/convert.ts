import type { SupportedMediaType } from '../domain/media-type.ts';
import type { FontFiles } from './fonts.ts';
import { type PadesSigner, signPades } from './pades.ts';
import { renderToPdf } from './render.ts';
import { type LetterheadPages, stampLetterhead, stampSignature } from './stamp.ts';

export interface ConversionInput {
  bytes: Uint8Array;
  mediaType: SupportedMediaType;
  /** The media type as sent, with its parameters (`;charset=windows-1252`). */
  declaredType?: string;
  title: string;
  letterhead: Uint8Array | undefined;
  letterheadPages: LetterheadPages;
  signatureImage: Uint8Array | undefined;
  pades: PadesSigner | undefined;
  fonts: FontFiles;
  now: Date;
}

export interface ConversionResult {
  pdf: Uint8Array;
  pages: number;
  signed: { image: boolean; pades: boolean };
}

/** Source -> PDF -> letterhead -> signature image -> optional PAdES signature (always last). */
export async function convertDocument(input: ConversionInput): Promise<ConversionResult> {
  const doc = await renderToPdf(input.bytes, input.mediaType, input.fonts, {
    title: input.title,
    ...(input.declaredType ? { declaredType: input.declaredType } : {}),
  });
  if (input.letterhead) await stampLetterhead(doc, input.letterhead, input.letterheadPages);
  if (input.signatureImage) await stampSignature(doc, input.signatureImage);
  doc.setProducer('doc-converter');
  doc.setModificationDate(input.now);
  const pages = doc.getPageCount();
  const pdf = input.pades ? await signPades(doc, input.pades, input.now) : await doc.save();
  return { pdf, pages, signed: { image: Boolean(input.signatureImage), pades: Boolean(input.pades) } };
}
