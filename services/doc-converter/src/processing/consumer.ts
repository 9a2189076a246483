import {
  type Bus,
  type Database,
  DEAD_LETTER_HEADERS,
  fieldErrorsOf,
  type Logger,
  type Subscription,
  subscribeDeadLetters,
} from '@hip/shared';
import { TCS_SUBJECTS } from '@hip/shared/schemas';
import { busRejects, type DocumentRow } from '../db/schema.ts';
import { DocumentMessageSchema } from '../domain/document-message.ts';
import { type DocumentProcessor, DocumentRefusedError } from './document-processor.ts';

export const CONSUMER_DURABLE = 'doc-converter';

/**
 * The durable consumer of cpv2 documents. Invalid messages are recorded with the reason and
 * acknowledged (retrying them cannot help); conversion failures that may be transient throw,
 * so the bus redelivers with backoff and finally dead-letters them, which we record too.
 */
export async function subscribeDocuments(deps: {
  bus: Bus;
  db: Database;
  processor: DocumentProcessor;
  logger: Logger;
  maxDeliver: number;
  backoffMs: number[];
  concurrency: number;
}): Promise<Subscription[]> {
  const { bus, db, processor, logger } = deps;
  const reject = async (subject: string, msgId: string | undefined, reason: string) => {
    await db.insert(busRejects).values({ subject, msgId: msgId ?? null, reason });
    logger.warn({ subject, msgId, reason }, 'bus message rejected');
  };
  const documentsSub = await bus.subscribe({
    subject: TCS_SUBJECTS.documentGenerated,
    durable: CONSUMER_DURABLE,
    maxDeliver: deps.maxDeliver,
    backoffMs: deps.backoffMs,
    concurrency: deps.concurrency,
    async handler(message) {
      let raw: unknown;
      try {
        raw = message.json();
      } catch {
        return reject(message.subject, message.msgId, 'message is not JSON');
      }
      const parsed = DocumentMessageSchema.safeParse(raw);
      if (!parsed.success) {
        const errors = fieldErrorsOf(parsed.error);
        return reject(
          message.subject,
          message.msgId,
          `invalid cpv2 document: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        );
      }
      let accepted: Awaited<ReturnType<DocumentProcessor['accept']>>;
      try {
        accepted = await processor.accept(parsed.data, 'bus');
      } catch (error) {
        if (error instanceof DocumentRefusedError)
          return reject(message.subject, parsed.data.id, error.message);
        throw error;
      }
      await processor.process(accepted.row.id);
    },
  });
  // Taking a dead letter in needs the database (and the object store) back: tried for days.
  const deadLetters = await subscribeDeadLetters(bus, {
    of: CONSUMER_DURABLE,
    durable: `${CONSUMER_DURABLE}-dlq`,
    backoffMs: deps.backoffMs,
    async handler(message) {
      const reason = `dead letter after ${message.headers[DEAD_LETTER_HEADERS.deliveries] ?? '?'} deliveries: ${message.headers[DEAD_LETTER_HEADERS.error] ?? 'unknown error'}`;
      let raw: unknown;
      try {
        raw = message.json();
      } catch {
        return reject(message.subject, message.msgId, reason);
      }
      const parsed = DocumentMessageSchema.safeParse(raw);
      if (!parsed.success) return reject(message.subject, message.msgId, reason);
      // A document whose intake failed (database or object store away) is taken in now, so its
      // content is kept: failed with the reason, visible and retryable. Throws while still away.
      let row: DocumentRow;
      try {
        row = (await processor.accept(parsed.data, 'bus')).row;
      } catch (error) {
        if (error instanceof DocumentRefusedError)
          return reject(message.subject, parsed.data.id, error.message);
        throw error;
      }
      if (row.status === 'queued') await processor.fail(row, reason);
    },
  });
  return [documentsSub, deadLetters];
}
