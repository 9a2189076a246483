import { createHash } from 'node:crypto';
import type { Bus } from '@hip/shared';
import { type GeneratedDocument, TCS_DOCUMENTS_BUCKET, TCS_SUBJECTS } from '@hip/shared/schemas';
import { sampleDocuments } from './samples.ts';

/**
 * Publishes documents the way the cpv2 service of Ophtix TCS does: one message per generated
 * document on `tcs.documents.generated`, `Nats-Msg-Id` = document id, contents above
 * `inlineLimit` bytes put in the object store first and referenced by name.
 */
export async function publishAsCpv2(
  bus: Bus,
  docs: GeneratedDocument[],
  inlineLimit = 64 * 1024,
): Promise<void> {
  for (const doc of docs) {
    let message = doc;
    if ('base64' in doc.content) {
      const bytes = new Uint8Array(Buffer.from(doc.content.base64, 'base64'));
      if (bytes.length > inlineLimit) {
        const name = `${doc.id}.bin`;
        await (await bus.objects(TCS_DOCUMENTS_BUCKET)).put(name, bytes);
        message = {
          ...doc,
          content: {
            mediaType: doc.content.mediaType,
            object: { bucket: TCS_DOCUMENTS_BUCKET, name },
            size: bytes.length,
            sha256: createHash('sha256').update(bytes).digest('hex'),
          },
        };
      }
    }
    await bus.publish(TCS_SUBJECTS.documentGenerated, message, { msgId: doc.id });
  }
}

/** The demo batch (several doctors, one without signature, a PDF source, an image), as cpv2 would send it. */
export async function publishSampleDocuments(bus: Bus, now = new Date()): Promise<GeneratedDocument[]> {
  const docs = await sampleDocuments(now);
  await publishAsCpv2(bus, docs, 8 * 1024);
  return docs;
}
