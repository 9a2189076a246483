import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { P12Signer } from '@signpdf/signer-p12';
import signpdf from '@signpdf/signpdf';
import forge from 'node-forge';
import type { PDFDocument } from 'pdf-lib';

export interface PadesSigner {
  p12: Uint8Array;
  passphrase: string;
  /** Shown in the signature dictionary (/Name, /Location). */
  name: string;
  location: string;
}

/** Room for the CMS blob: certificate chain + signature, hex-encoded, with margin. */
const SIGNATURE_LENGTH = 16_384;

/**
 * Adds a detached CAdES signature (/SubFilter /ETSI.CAdES.detached, the PAdES baseline form)
 * over the whole file. Must be the last change: anything written after it breaks the signature.
 */
export async function signPades(
  doc: PDFDocument,
  signer: PadesSigner,
  signingTime: Date,
): Promise<Uint8Array> {
  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: 'Document médical signé par le médecin',
    contactInfo: '',
    name: signer.name,
    location: signer.location,
    signingTime,
    signatureLength: SIGNATURE_LENGTH,
    subFilter: 'ETSI.CAdES.detached',
  });
  // The placeholder's byte range is found by scanning the file: object streams would hide it.
  const withPlaceholder = await doc.save({ useObjectStreams: false });
  const signed = await signpdf.sign(
    Buffer.from(withPlaceholder),
    new P12Signer(Buffer.from(signer.p12), { passphrase: signer.passphrase }),
    signingTime,
  );
  return new Uint8Array(signed);
}

/**
 * Why a PKCS#12 cannot sign, naming the variable to fix; undefined when it can. Checked at
 * start: a wrong password found at the first document would look like a transient failure.
 */
export function p12Problem(
  p12: Uint8Array,
  passphrase: string,
): { variable: 'PADES_P12_PATH' | 'PADES_P12_PASSWORD'; message: string } | undefined {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(p12).toString('binary')));
    parsed = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  } catch (error) {
    const message = (error as Error).message;
    return /password|MAC/i.test(message)
      ? { variable: 'PADES_P12_PASSWORD', message: `does not open PADES_P12_PATH: ${message}` }
      : { variable: 'PADES_P12_PATH', message: `is not a readable PKCS#12 file: ${message}` };
  }
  const count = (bagType: string) => parsed.getBags({ bagType })[bagType]?.length ?? 0;
  if (count(forge.pki.oids.certBag as string) === 0) {
    return { variable: 'PADES_P12_PATH', message: 'holds no certificate' };
  }
  if (count(forge.pki.oids.pkcs8ShroudedKeyBag as string) + count(forge.pki.oids.keyBag as string) === 0) {
    return { variable: 'PADES_P12_PATH', message: 'holds no private key' };
  }
  return undefined;
}
