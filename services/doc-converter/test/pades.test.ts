import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '@hip/shared';
import { startServiceForTest, waitFor } from '@hip/shared/testing';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docConverter } from '../src/service.ts';
import type { DocumentView } from '../src/service-api.ts';
import { cpv2Document, jsonPost, qpdfCheck, type Workspace, workspace } from './fixtures.ts';

/** A throwaway self-signed certificate in a PKCS#12, as a deployment would configure its own. */
function throwawayP12(password: string): { der: Uint8Array; cert: forge.pki.Certificate } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const subject = [
    { name: 'commonName', value: 'Dr Test Signature' },
    { name: 'countryName', value: 'FR' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(key, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, { algorithm: '3des' });
  return { der: new Uint8Array(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')), cert };
}

const OID_MESSAGE_DIGEST = forge.pki.oids.messageDigest as string;

describe('PAdES signature with a configured PKCS#12', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  let cert: forge.pki.Certificate;
  beforeAll(async () => {
    ws = await workspace();
    const p12 = throwawayP12('s3cret');
    cert = p12.cert;
    const p12Path = join(ws.dir, 'signer.p12');
    await writeFile(p12Path, p12.der);
    svc = await startServiceForTest(docConverter, {
      env: { ...ws.env, PADES_ENABLED: 'true', PADES_P12_PATH: p12Path, PADES_P12_PASSWORD: 's3cret' },
    });
  });
  afterAll(async () => {
    await svc.stop();
    await ws.remove();
  });

  it('signs the whole file: the CMS messageDigest matches the sha256 of the ByteRange and the RSA signature verifies', async () => {
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    const doc = cpv2Document();
    await svc.request('/documents', jsonPost(doc));
    const done = await waitFor(async () => {
      const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
      return d.status === 'converted' ? d : undefined;
    });
    const path = join(ws.exportRoot, done.outputPath ?? '');
    expect(await qpdfCheck(path)).toContain('No syntax or stream encoding errors');
    const pdf = await readFile(path);
    const text = pdf.toString('latin1');

    expect(text).toMatch(/\/Type\s*\/Sig\b/);
    expect(text).toContain('/SubFilter /ETSI.CAdES.detached');
    const range = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text);
    expect(range).not.toBeNull();
    const [a, b, c, d] = (range?.slice(1) ?? []).map(Number) as [number, number, number, number];
    // The range covers everything but the /Contents hex string.
    expect(a).toBe(0);
    expect(c + d).toBe(pdf.length);
    expect(text[b]).toBe('<');
    expect(text[c - 1]).toBe('>');

    const signedBytes = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
    const hex = text.slice(b + 1, c - 1).replace(/(00)+$/, '');
    const cms = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(forge.util.hexToBytes(hex))) as unknown as {
      rawCapture: { authenticatedAttributes: forge.asn1.Asn1[]; signature: string };
    };
    const attributes = cms.rawCapture.authenticatedAttributes;
    const digestAttribute = attributes.find(
      (attr) =>
        forge.asn1.derToOid((attr.value as forge.asn1.Asn1[])[0]?.value as string) === OID_MESSAGE_DIGEST,
    );
    expect(digestAttribute).toBeDefined();
    const values = (digestAttribute as forge.asn1.Asn1).value as forge.asn1.Asn1[];
    const digestValue = ((values[1] as forge.asn1.Asn1).value as forge.asn1.Asn1[])[0]?.value as string;
    expect(Buffer.from(digestValue, 'binary').toString('hex')).toBe(
      createHash('sha256').update(signedBytes).digest('hex'),
    );

    const attributeSet = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, attributes);
    const md = forge.md.sha256.create();
    md.update(forge.asn1.toDer(attributeSet).getBytes());
    expect(
      (cert.publicKey as forge.pki.rsa.PublicKey).verify(md.digest().getBytes(), cms.rawCapture.signature),
    ).toBe(true);

    // Any byte changed inside the range no longer matches the digest.
    const tampered = Buffer.from(signedBytes);
    tampered[100] = (tampered[100] ?? 0) ^ 1;
    expect(createHash('sha256').update(tampered).digest('hex')).not.toBe(
      Buffer.from(digestValue, 'binary').toString('hex'),
    );
  });
});

describe('PAdES configuration checked at start', () => {
  it.each([
    ['a wrong password', 'not-the-password', 'PADES_P12_PASSWORD', 'Invalid password'],
    ['a file that is not a PKCS#12', 'garbage', 'PADES_P12_PATH', 'is not a readable PKCS#12 file'],
    ['a missing file', 'missing', 'PADES_P12_PATH', 'cannot be read'],
  ])('refuses to start with %s, naming the variable', async (_what, kind, variable, message) => {
    const ws = await workspace();
    try {
      const p12Path = join(ws.dir, 'signer.p12');
      if (kind === 'garbage') await writeFile(p12Path, 'not a certificate');
      else if (kind !== 'missing') await writeFile(p12Path, throwawayP12('s3cret').der);
      const start = startServiceForTest(docConverter, {
        env: { ...ws.env, PADES_ENABLED: 'true', PADES_P12_PATH: p12Path, PADES_P12_PASSWORD: kind },
      });
      await expect(start).rejects.toBeInstanceOf(ConfigError);
      await expect(start).rejects.toThrow(new RegExp(`${variable}: .*${message}`));
    } finally {
      await ws.remove();
    }
  });
});
