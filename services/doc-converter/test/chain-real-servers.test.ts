import { join } from 'node:path';
import { TCS_DOCUMENTS_BUCKET, TCS_SUBJECTS } from '@hip/shared/schemas';
import { describeWithServers, startServiceForTest, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

describeWithServers(['nats', 'postgres'], 'document chain on real NATS JetStream and PostgreSQL', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    ws = await workspace();
    svc = await startServiceForTest(docConverter, { env: ws.env });
    expect(svc.bus.kind).toBe('nats');
    expect(svc.database.kind).toBe('postgres');
  });
  afterAll(async () => {
    await svc.stop();
    await ws.remove();
  });

  it('turns a cpv2 message with its PDF in the object store into a valid, stamped PDF in the doctor folder', async () => {
    await ws.addLetterhead('42', 'Centre Ophtalmologique Lumière');
    await ws.addSignature('42');
    const name = `${uniqueDocId('cpv2')}.pdf`;
    await (await svc.bus.objects(TCS_DOCUMENTS_BUCKET)).put(name, await sampleSourcePdf(2));
    const doc = cpv2Document({
      kind: 'compte-rendu',
      content: { mediaType: 'application/pdf', object: { bucket: TCS_DOCUMENTS_BUCKET, name } },
    });
    const outcomes: string[] = [];
    const sub = await svc.bus.subscribe({
      subject: TCS_SUBJECTS.documentConverted,
      durable: `e2e-${Date.now()}`,
      handler: async (m) => {
        outcomes.push(m.json<{ documentId: string }>().documentId);
      },
    });
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, doc, { msgId: doc.id });

    const done = await waitFor(
      async () => {
        const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
        return d.status === 'converted' ? d : undefined;
      },
      { timeoutMs: 30_000, what: 'conversion' },
    );
    expect(done.outputPath).toBe(`mlefevre/2026-11-20_compte-rendu_DUPRE-H_${doc.id}.pdf`);
    const file = join(ws.exportRoot, done.outputPath ?? '');
    expect(await qpdfCheck(file)).toContain('No syntax or stream encoding errors');
    expect(await pdfPages(file)).toBe(2);
    expect(await pdfText(file, 1)).toContain('Centre Ophtalmologique Lumière');
    expect(await pdfText(file, 1)).toContain('Compte rendu - page 1/2');
    expect(await pdfText(file, 2)).not.toContain('Centre Ophtalmologique Lumière');
    expect(await pdfImages(file)).toEqual([{ page: 2, type: 'image', width: 142, height: 85 }]);
    await waitFor(() => outcomes.includes(doc.id), { what: 'converted event on NATS' });
    await sub.stop();
  });
});
