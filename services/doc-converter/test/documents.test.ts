import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DocumentConvertedEvent, DocumentFailedEvent } from '@hip/shared/schemas';
import { TCS_SUBJECTS } from '@hip/shared/schemas';
import { startServiceForTest, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../sim/png-encoder.ts';
import { sampleLetterheadPdf, sampleSignaturePng } from '../sim/sample-assets.ts';
import { docConverter } from '../src/service.ts';
import type { DocumentView } from '../src/service-api.ts';
import {
  cpv2Document,
  jsonPost,
  pdfImages,
  pdfText,
  qpdfCheck,
  type Workspace,
  workspace,
} from './fixtures.ts';

describe('document chain over HTTP', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  // One service for the file (a fresh database costs seconds); each test uses its own doctor
  // and document ids, so tests do not see each other's documents.
  beforeAll(async () => {
    ws = await workspace();
    svc = await startServiceForTest(docConverter, { env: ws.env });
  });
  afterAll(async () => {
    await svc.stop();
    await ws.remove();
  });

  const status = async (id: string) => (await (await svc.request(`/documents/${id}`)).json()) as DocumentView;
  const settled = (id: string, expected: DocumentView['status']) =>
    waitFor(
      async () => {
        const doc = await status(id);
        return doc.status === expected ? doc : undefined;
      },
      { what: `${id} ${expected}`, timeoutMs: 15_000 },
    );

  it('converts a UTF-8 letter with letterhead and signature into a valid PDF in the login folder', async () => {
    await ws.addLetterhead('42', 'Centre Lumière Part-Dieu');
    await ws.addSignature('42');
    const doc = cpv2Document();
    const res = await svc.request('/documents', jsonPost(doc));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ id: doc.id, created: true });
    const done = await settled(doc.id, 'converted');
    expect(done.outputPath).toBe(`mlefevre/2026-11-20_courrier_DUPRE-H_${doc.id}.pdf`);
    const file = join(ws.exportRoot, done.outputPath ?? '');
    expect(await qpdfCheck(file)).toContain('No syntax or stream encoding errors');
    const text = await pdfText(file);
    expect(text).toContain('Centre Lumière Part-Dieu');
    expect(text).toContain('Le fond d’œil est normal. Coût : 25 €.');
    expect(text).toMatch(/Ef(ﬁ|fi)cace/);
    expect(await pdfImages(file)).toContainEqual(
      expect.objectContaining({ page: 1, width: 142, height: 85 }),
    );
  });

  it('never produces a second file when the same document id is sent again', async () => {
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    const doc = cpv2Document();
    await svc.request('/documents', jsonPost(doc));
    await settled(doc.id, 'converted');
    const again = await svc.request('/documents', jsonPost({ ...doc, kind: 'ordonnance' }));
    expect(await again.json()).toEqual({ id: doc.id, created: false });
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, doc, { msgId: `${doc.id}-redelivered` });
    await new Promise((r) => setTimeout(r, 300));
    expect((await ws.files()).filter((f) => f.includes(doc.id))).toHaveLength(1);
  });

  it('parks a document whose doctor has no signature and releases it when a valid PNG is uploaded', async () => {
    await ws.addLetterhead('57');
    const doc = cpv2Document({ doctorId: '57', windowsLogin: 'pgarnier' });
    await svc.request('/documents', jsonPost(doc));
    const parked = await settled(doc.id, 'missing-signature');
    expect(parked.error).toContain('signature/62_57.png');
    const errors = await (await svc.request('/errors')).json();
    expect(errors.doctors).toContainEqual(
      expect.objectContaining({ doctorId: '57', missingSignature: 1, missingLetterhead: 0, failed: 0 }),
    );

    const opaque = encodePng({ width: 142, height: 85, alpha: false, pixel: () => [255, 255, 255] });
    const refused = await svc.request('/assets/signature/57', {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(opaque),
    });
    expect(refused.status).toBe(422);
    expect((await refused.json()).detail).toContain('no transparency');
    const wrongSize = encodePng({ width: 100, height: 85, pixel: () => [0, 0, 0, 0] });
    const refusedSize = await svc.request('/assets/signature/57', {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(wrongSize),
    });
    expect((await refusedSize.json()).detail).toContain('is 100x85 pixels');
    expect((await status(doc.id)).status).toBe('missing-signature');

    const ok = await svc.request('/assets/signature/57', {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(sampleSignaturePng(57)),
    });
    expect(await ok.json()).toEqual({ doctorId: '57', released: [doc.id] });
    const done = await settled(doc.id, 'converted');
    expect(await pdfImages(join(ws.exportRoot, done.outputPath ?? ''))).toHaveLength(1);
    const after = (await (await svc.request('/errors')).json()).doctors as { doctorId: string }[];
    expect(after.map((d) => d.doctorId)).not.toContain('57');
  });

  it('parks a document whose doctor has no letterhead and releases it on a parseable PDF only', async () => {
    await ws.addSignature('58');
    const doc = cpv2Document({ doctorId: '58', windowsLogin: 'alaurent' });
    await svc.request('/documents', jsonPost(doc));
    expect((await settled(doc.id, 'missing-letterhead')).error).toContain('entete/58.pdf');
    const bad = await svc.request('/assets/letterhead/58', {
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      body: '%PDF-1.7 truncated',
    });
    expect(bad.status).toBe(422);
    expect((await bad.json()).detail).toContain('letterhead refused');
    const wrongType = await svc.request('/assets/letterhead/58', {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(sampleSignaturePng(1)),
    });
    expect(wrongType.status).toBe(415);
    const good = await sampleLetterheadPdf({ name: 'Centre Garibaldi', address: 'Lyon', phone: '04' });
    const ok = await svc.request('/assets/letterhead/58', {
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      body: new Uint8Array(good),
    });
    expect((await ok.json()).released).toEqual([doc.id]);
    const done = await settled(doc.id, 'converted');
    expect(await pdfText(join(ws.exportRoot, done.outputPath ?? ''))).toContain('Centre Garibaldi');
  });

  it.each([
    ['..', 'contains ".."'],
    ['../../etc', 'path separator'],
    ['C:\\Windows', 'path separator'],
    ['CON', 'reserved Windows device name'],
    ['a'.repeat(200), 'at most 64'],
  ])('fails a document whose Windows login is %j, writing nothing anywhere', async (login, reason) => {
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    const before = await ws.files();
    const doc = cpv2Document({ windowsLogin: login });
    await svc.request('/documents', jsonPost(doc));
    const failed = await settled(doc.id, 'failed');
    expect(failed.error).toContain(reason);
    expect(await ws.files()).toEqual(before);
  });

  it('publishes the outcome through the outbox: converted with path and sha256, failed with the reason', async () => {
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    const seen: { subject: string; data: unknown }[] = [];
    const sub = await svc.bus.subscribe({
      subject: 'tcs.documents.*',
      durable: `outcomes-${Date.now()}`,
      handler: async (m) => {
        if (m.subject !== TCS_SUBJECTS.documentGenerated) seen.push({ subject: m.subject, data: m.json() });
      },
    });
    const good = cpv2Document();
    const bad = cpv2Document({ content: { mediaType: 'application/msword', base64: 'AAAA' } });
    await svc.request('/documents', jsonPost(good));
    await svc.request('/documents', jsonPost(bad));
    const about = (id: string, subject: string) => () =>
      seen.find((e) => e.subject === subject && (e.data as { documentId: string }).documentId === id);
    const converted = await waitFor(about(good.id, TCS_SUBJECTS.documentConverted));
    const failed = await waitFor(about(bad.id, TCS_SUBJECTS.documentFailed));
    await sub.stop();
    const done = await status(good.id);
    expect(converted.data as DocumentConvertedEvent).toMatchObject({
      documentId: good.id,
      path: done.outputPath,
      sha256: done.sha256,
    });
    expect((failed.data as DocumentFailedEvent).reason).toContain(
      'media type "application/msword" is not supported',
    );
  });

  it('retries a failed document once the cause is fixed, and refuses to retry a converted one', async () => {
    await ws.addSignature('43');
    const doc = cpv2Document({
      doctorId: '43',
      content: { mediaType: 'image/png', base64: Buffer.from('%PDF-1.4 not a png').toString('base64') },
    });
    await svc.request('/documents', jsonPost(doc));
    expect((await settled(doc.id, 'failed')).error).toContain('declared image/png but is not a PNG');
    const retried = await svc.request(`/documents/${doc.id}/retry`, { method: 'POST' });
    expect(retried.status).toBe(202);
    await settled(doc.id, 'failed');
    const good = cpv2Document({ doctorId: '43' });
    await ws.addLetterhead('43');
    await svc.request('/documents', jsonPost(good));
    await settled(good.id, 'converted');
    const conflict = await svc.request(`/documents/${good.id}/retry`, { method: 'POST' });
    expect(conflict.status).toBe(409);
  });

  it('fails a truncated PNG document with the reason instead of freezing the service, and refuses a truncated signature upload', async () => {
    await ws.addLetterhead('44');
    await ws.addSignature('44');
    const cut = Buffer.from(sampleSignaturePng(5)).subarray(0, 200);
    const doc = cpv2Document({
      doctorId: '44',
      content: { mediaType: 'image/png', base64: cut.toString('base64') },
    });
    await svc.request('/documents', jsonPost(doc));
    expect((await settled(doc.id, 'failed')).error).toMatch(/^PNG truncated: chunk "IDAT"/);
    const upload = await svc.request('/assets/signature/44', {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(cut),
    });
    expect(upload.status).toBe(422);
    expect((await upload.json()).detail).toContain('signature refused: the PNG PNG truncated');
    // The service still answers and converts: nothing is stuck in pdf-lib's decoder.
    const next = cpv2Document({ doctorId: '44' });
    await svc.request('/documents', jsonPost(next));
    await settled(next.id, 'converted');
  });

  it('fails a document whose hand-placed signature file is corrupt, naming the file problem', async () => {
    await ws.addLetterhead('45');
    await writeFile(
      join(ws.assetsRoot, 'signature', '62_45.png'),
      Buffer.from(sampleSignaturePng(45)).subarray(0, 300),
    );
    const doc = cpv2Document({ doctorId: '45' });
    await svc.request('/documents', jsonPost(doc));
    expect((await settled(doc.id, 'failed')).error).toMatch(
      /^the signature image cannot be used: PNG truncated/,
    );
  });

  it('finds the signature uploaded for a doctor whatever centre the document comes from (seed: 62_<doctorId>.png)', async () => {
    await ws.addLetterhead('46');
    const doc = cpv2Document({ doctorId: '46', centreId: '12' });
    await svc.request('/documents', jsonPost(doc));
    expect((await settled(doc.id, 'missing-signature')).error).toContain('signature/62_46.png');
    const ok = await svc.request('/assets/signature/46', {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(sampleSignaturePng(46)),
    });
    expect(await ok.json()).toEqual({ doctorId: '46', released: [doc.id] });
    const done = await settled(doc.id, 'converted');
    expect(await pdfImages(join(ws.exportRoot, done.outputPath ?? ''))).toHaveLength(1);
  });

  it('converts a windows-1252 letter sent with its charset, keeping € and the accents', async () => {
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    const doc = cpv2Document({
      content: {
        mediaType: 'text/plain; charset=windows-1252',
        base64: Buffer.from('Co\xfbt : 25 \x80, fond d\x92\x9cil normal', 'latin1').toString('base64'),
      },
    });
    await svc.request('/documents', jsonPost(doc));
    const done = await settled(doc.id, 'converted');
    expect(await pdfText(join(ws.exportRoot, done.outputPath ?? ''))).toContain(
      'Coût : 25 €, fond d’œil normal',
    );
  });

  it('refuses a login with a NUL or control character at the door, naming the field', async () => {
    const res = await svc.request('/documents', jsonPost(cpv2Document({ windowsLogin: 'dr\u0000evil' })));
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([
      { path: '/windowsLogin', message: 'must not contain control characters' },
    ]);
  });

  it('rejects an invalid POST naming the bad fields', async () => {
    const res = await svc.request(
      '/documents',
      jsonPost({ ...cpv2Document(), kind: 'memo', patient: { id: 'x' } }),
    );
    expect(res.status).toBe(400);
    const paths = (await res.json()).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/kind', '/patient/lastName', '/patient/birthDate']));
  });

  it('names the missing field inside content instead of "Invalid input"', async () => {
    const stored = await svc.request(
      '/documents',
      jsonPost(
        cpv2Document({
          content: { mediaType: 'application/pdf', object: { bucket: 'tcs-documents' } } as never,
        }),
      ),
    );
    expect(stored.status).toBe(400);
    expect((await stored.json()).errors).toEqual([
      { path: '/content', message: 'object/name: Invalid input: expected string, received undefined' },
    ]);
    const neither = await svc.request(
      '/documents',
      jsonPost(cpv2Document({ content: { mediaType: 'text/plain' } as never })),
    );
    expect((await neither.json()).errors).toEqual([
      {
        path: '/content',
        message: 'must carry either base64 (inline content) or object {bucket, name} (object store)',
      },
    ]);
  });

  it('answers 404 for an unknown document', async () => {
    expect((await svc.request('/documents/NOPE-1')).status).toBe(404);
  });
});
