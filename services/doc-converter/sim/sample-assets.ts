import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';

export { sampleSignaturePng } from './png-encoder.ts';

/** A letterhead band as centres extract it from their stationery: one short page with the centre's name. */
export async function sampleLetterheadPdf(centre: {
  name: string;
  address: string;
  phone: string;
}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 110]);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  page.drawRectangle({ x: 0, y: 0, width: 8, height: 110, color: rgb(0.05, 0.31, 0.42) });
  page.drawText(centre.name, { x: 24, y: 70, size: 20, font: bold, color: rgb(0.05, 0.31, 0.42) });
  page.drawText(centre.address, { x: 24, y: 46, size: 10, font: regular });
  page.drawText(centre.phone, { x: 24, y: 30, size: 10, font: regular });
  return doc.save();
}

/** A source PDF as Ophtix would generate it: `pages` pages of text with the standard fonts. */
export async function sampleSourcePdf(pages: number, title = 'Compte rendu'): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595.28, 841.89]);
    page.drawText(`${title} - page ${i}/${pages}`, { x: 56, y: 690, size: 14, font });
    for (let line = 0; line < 20; line++) {
      page.drawText(`Examen ophtalmologique, ligne ${line + 1}: acuite visuelle et fond d'oeil.`, {
        x: 56,
        y: 660 - line * 18,
        size: 10,
        font,
      });
    }
  }
  return doc.save();
}
