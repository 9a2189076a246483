import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { type DocumentFailedEvent, TCS_DOCUMENTS_BUCKET, TCS_SUBJECTS } from '@hip/shared/schemas';
import { startServiceForTest, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSourcePdf } from '../sim/sample-assets.ts';
import { docConverter } from '../src/service.ts';
import type { DocumentView } from '../src/service-api.ts';
import {
  cpv2Document,
  pdfImages,
  pdfPages,
  pdfText,
  qpdfCheck,
  uniqueDocId,
  type Workspace,
  workspace,
} from './fixtures.ts';

describe('cpv2 durable consumer', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    ws = await workspace();
    svc = await startServiceForTest(docConverter, {
      env: { ...ws.env, LETTERHEAD_PAGES: 'all', CONSUMER_BACKOFF_MS: '50' },
    });
  });
  afterAll(async () => {
    await svc.stop();
    await ws.remove();
  });

  const converted = (id: string) =>
    waitFor(
      async () => {
        const d = (await (await svc.request(`/documents/${id}`)).json()) as DocumentView;
        return d.status === 'converted' ? d : undefined;
      },
      { timeoutMs: 20_000, what: `${id} converted` },
    );

  it('takes large contents from the object store and stamps the letterhead on every page when configured', async () => {
    await ws.addLetterhead('71', 'Cabinet Ophtalmologie Bellecour');
    await ws.addSignature('71');
    const name = `${uniqueDocId('obj')}.pdf`;
    await (await svc.bus.objects(TCS_DOCUMENTS_BUCKET)).put(name, await sampleSourcePdf(3));
    const doc = cpv2Document({
      doctorId: '71',
      windowsLogin: 'jbernard',
      content: { mediaType: 'application/pdf', object: { bucket: TCS_DOCUMENTS_BUCKET, name } },
    });
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, doc, { msgId: doc.id });
    const done = await converted(doc.id);
    const file = join(ws.exportRoot, done.outputPath ?? '');
    expect(done.outputPath?.startsWith('jbernard/')).toBe(true);
    await qpdfCheck(file);
    expect(await pdfPages(file)).toBe(3);
    for (const page of [1, 2, 3])
      expect(await pdfText(file, page)).toContain('Cabinet Ophtalmologie Bellecour');
    expect((await pdfImages(file)).map((i) => i.page)).toEqual([3]);
    // cpv2's object is cpv2's: only our own copies of inline contents are deleted.
    expect(await (await svc.bus.objects(TCS_DOCUMENTS_BUCKET)).get(name)).toBeDefined();
  });

  it('refuses a content reference to any bucket but tcs-documents, and publishes tcs.documents.failed', async () => {
    const failedEvents: DocumentFailedEvent[] = [];
    const sub = await svc.bus.subscribe({
      subject: TCS_SUBJECTS.documentFailed,
      durable: `failed-${Date.now()}`,
      handler: async (m) => {
        failedEvents.push(m.json<DocumentFailedEvent>());
      },
    });
    // Another document's inline content, kept in our sources bucket until it is converted.
    const victim = uniqueDocId('victim');
    await (await svc.bus.objects('doc-converter-sources')).put(victim, await sampleSourcePdf(1));
    const doc = cpv2Document({
      doctorId: '74',
      content: { mediaType: 'application/pdf', object: { bucket: 'doc-converter-sources', name: victim } },
    });
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, doc, { msgId: doc.id });
    const rejected = await waitFor(async () => {
      const body = (await (await svc.request('/errors')).json()) as {
        rejectedMessages: { msgId: string; reason: string }[];
      };
      return body.rejectedMessages.find((r) => r.msgId === doc.id);
    });
    expect(rejected.reason).toBe(
      'content object bucket "doc-converter-sources" refused: only "tcs-documents" is read',
    );
    const event = await waitFor(() => failedEvents.find((e) => e.documentId === doc.id));
    await sub.stop();
    expect(event.reason).toContain('refused: only "tcs-documents"');
    expect((await svc.request(`/documents/${doc.id}`)).status).toBe(404);
    expect(await (await svc.bus.objects('doc-converter-sources')).get(victim)).toBeDefined();
  });

  it('fails a document whose stored content does not match the declared sha256 or size', async () => {
    await ws.addLetterhead('75');
    await ws.addSignature('75');
    const name = `${uniqueDocId('obj')}.pdf`;
    const pdf = await sampleSourcePdf(1);
    await (await svc.bus.objects(TCS_DOCUMENTS_BUCKET)).put(name, pdf);
    const object = { bucket: TCS_DOCUMENTS_BUCKET, name };
    const wrongHash = cpv2Document({
      doctorId: '75',
      content: { mediaType: 'application/pdf', object, sha256: 'ab'.repeat(32) },
    });
    const wrongSize = cpv2Document({
      doctorId: '75',
      content: { mediaType: 'application/pdf', object, size: pdf.length + 1 },
    });
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, wrongHash, { msgId: wrongHash.id });
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, wrongSize, { msgId: wrongSize.id });
    const failed = (id: string) =>
      waitFor(async () => {
        const d = (await (await svc.request(`/documents/${id}`)).json()) as DocumentView;
        return d.status === 'failed' ? d : undefined;
      });
    expect((await failed(wrongHash.id)).error).toContain(`the message declared ${'ab'.repeat(32)}`);
    expect((await failed(wrongSize.id)).error).toBe(
      `content object "${name}" is ${pdf.length} bytes, the message declared ${pdf.length + 1}`,
    );
    const matching = cpv2Document({
      doctorId: '75',
      content: {
        mediaType: 'application/pdf',
        object,
        size: pdf.length,
        sha256: createHash('sha256').update(pdf).digest('hex'),
      },
    });
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, matching, { msgId: matching.id });
    await converted(matching.id);
  });

  it('records an invalid cpv2 message with the bad fields instead of dropping it', async () => {
    const id = uniqueDocId('BAD');
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, { id, kind: 'courrier' }, { msgId: id });
    const errors = await waitFor(async () => {
      const body = (await (await svc.request('/errors')).json()) as {
        rejectedMessages: { msgId: string; reason: string }[];
      };
      return body.rejectedMessages.find((r) => r.msgId === id);
    });
    expect(errors.reason).toContain('invalid cpv2 document: /doctorId');
    expect(errors.reason).toContain('/content');
  });

  it('records a document whose stored content is missing as failed with the object name', async () => {
    await ws.addLetterhead('72');
    await ws.addSignature('72');
    const doc = cpv2Document({
      doctorId: '72',
      content: {
        mediaType: 'application/pdf',
        object: { bucket: TCS_DOCUMENTS_BUCKET, name: 'never-uploaded.pdf' },
      },
    });
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, doc, { msgId: doc.id });
    const failed = await waitFor(async () => {
      const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
      return d.status === 'failed' ? d : undefined;
    });
    expect(failed.error).toContain('content object "never-uploaded.pdf" not found');
  });

  it('writes one file when the same document is delivered twice on the bus', async () => {
    await ws.addLetterhead('73');
    await ws.addSignature('73');
    const doc = cpv2Document({ doctorId: '73', windowsLogin: 'twice' });
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, doc, { msgId: `${doc.id}-a` });
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, doc, { msgId: `${doc.id}-b` });
    await converted(doc.id);
    await new Promise((r) => setTimeout(r, 500));
    expect((await ws.files()).filter((f) => f.startsWith('export/twice/'))).toHaveLength(1);
  });
});
