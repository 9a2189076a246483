import { createHash } from 'node:crypto';
import {
  type Bus,
  type Database,
  describeError,
  enqueueEvents,
  type Logger,
  type OutboxRelay,
} from '@hip/shared';
import {
  type DocumentConvertedEvent,
  type DocumentFailedEvent,
  type GeneratedDocument,
  TCS_SUBJECTS,
} from '@hip/shared/schemas';
import { and, eq, inArray, ne, type SQL, sql } from 'drizzle-orm';
import type { AssetStore } from '../adapters/assets.ts';
import { type ExportShare, UnsafeExportPathError } from '../adapters/export-share.ts';
import { type DocumentRow, type DocumentStatus, documents, outbox } from '../db/schema.ts';
import { documentFileName } from '../domain/export-path.ts';
import { contentMismatch, supportedMediaType } from '../domain/media-type.ts';
import { convertDocument } from '../pdf/convert.ts';
import { loadFonts } from '../pdf/fonts.ts';
import type { PadesSigner } from '../pdf/pades.ts';
import { UnconvertibleDocumentError } from '../pdf/render.ts';
import type { LetterheadPages } from '../pdf/stamp.ts';

export interface ProcessorSettings {
  letterheadRequired: boolean;
  letterheadPages: LetterheadPages;
  signatureImage: 'required' | 'optional' | 'off';
  /**
   * The centre number in signature file names (`signature/62_<doctorId>.png`). The seed names
   * every file after the TCS centre 62, whatever centre the patient was seen in, and uploads
   * write with it: reading with the message's centreId would never find an uploaded file.
   */
  signatureCentreId: string;
  pades: PadesSigner | undefined;
  maxDocumentBytes: number;
  /** Transient failures after which the sweeper gives up and fails the document. */
  maxAttempts: number;
  /** Bucket where inline and HTTP contents are kept until the document is converted. */
  sourceBucket: string;
  /** The only bucket cpv2 references may point to (`tcs-documents`). */
  documentsBucket: string;
}

/** Refused for what it is: retrying the same input cannot succeed. */
export class DocumentRefusedError extends Error {
  override name = 'DocumentRefusedError';
}

/** Why the bytes read from the object store are not the content cpv2 announced; undefined when they are. */
function storedContentProblem(
  row: Pick<DocumentRow, 'contentObject' | 'contentSize' | 'contentSha256'>,
  bytes: Uint8Array,
  maxBytes: number,
): string | undefined {
  if (bytes.length > maxBytes) {
    return `content object "${row.contentObject}" is ${bytes.length} bytes, more than DOCUMENT_MAX_BYTES (${maxBytes})`;
  }
  if (row.contentSize !== null && bytes.length !== row.contentSize) {
    return `content object "${row.contentObject}" is ${bytes.length} bytes, the message declared ${row.contentSize}`;
  }
  if (row.contentSha256 !== null) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== row.contentSha256) {
      return `content object "${row.contentObject}" has sha256 ${actual}, the message declared ${row.contentSha256}`;
    }
  }
  return undefined;
}

export const PARKED_STATUSES = [
  'missing-signature',
  'missing-letterhead',
] as const satisfies DocumentStatus[];

/**
 * The document chain: accept (idempotent on the document id), convert, stamp, sign, write on
 * the share, publish the outcome through the outbox. Parked documents wait for their asset.
 */
export class DocumentProcessor {
  private readonly inFlight = new Map<string, Promise<DocumentRow | undefined>>();

  constructor(
    private readonly deps: {
      db: Database;
      bus: Bus;
      assets: AssetStore;
      share: ExportShare;
      relay: OutboxRelay;
      logger: Logger;
      settings: ProcessorSettings;
      now?: () => Date;
    },
  ) {}

  private now() {
    return this.deps.now?.() ?? new Date();
  }

  /**
   * Records the document once. A second delivery of the same id changes nothing, so it can
   * never lead to a second file.
   */
  async accept(
    doc: GeneratedDocument,
    source: 'bus' | 'http',
  ): Promise<{ row: DocumentRow; created: boolean }> {
    const existing = await this.find(doc.id);
    if (existing) return { row: existing, created: false };
    try {
      return await this.insert(doc, source);
    } catch (error) {
      if (error instanceof DocumentRefusedError) await this.announceRefusal(doc, error.message);
      throw error;
    }
  }

  /**
   * A document refused before it had a row still gets its `tcs.documents.failed`, so cpv2 hears
   * about every document it sent, not only about those that got as far as conversion.
   */
  private async announceRefusal(doc: GeneratedDocument, reason: string) {
    const event: DocumentFailedEvent = {
      documentId: doc.id,
      doctorId: doc.doctorId,
      reason,
      failedAt: this.now().toISOString(),
    };
    await enqueueEvents(this.deps.db, outbox, [
      { subject: TCS_SUBJECTS.documentFailed, msgId: `${doc.id}.refused`, payload: event },
    ]);
    this.deps.relay.kick();
  }

  private async insert(
    doc: GeneratedDocument,
    source: 'bus' | 'http',
  ): Promise<{ row: DocumentRow; created: boolean }> {
    const { settings } = this.deps;
    let bucket: string;
    let object: string;
    let declared: { size: number | null; sha256: string | null } = { size: null, sha256: null };
    if ('base64' in doc.content) {
      const bytes = new Uint8Array(Buffer.from(doc.content.base64, 'base64'));
      if (bytes.length === 0) throw new DocumentRefusedError('content is empty after base64 decoding');
      if (bytes.length > settings.maxDocumentBytes) {
        throw new DocumentRefusedError(
          `content is ${bytes.length} bytes, more than DOCUMENT_MAX_BYTES (${settings.maxDocumentBytes})`,
        );
      }
      bucket = settings.sourceBucket;
      object = doc.id;
      await (await this.deps.bus.objects(bucket)).put(object, bytes);
    } else {
      // The reference is untrusted: pointing it at our own sources bucket (or any other) would
      // convert, then delete, another document's content.
      if (doc.content.object.bucket !== settings.documentsBucket) {
        throw new DocumentRefusedError(
          `content object bucket "${doc.content.object.bucket}" refused: only "${settings.documentsBucket}" is read`,
        );
      }
      if (doc.content.size !== undefined && doc.content.size > settings.maxDocumentBytes) {
        throw new DocumentRefusedError(
          `content is declared ${doc.content.size} bytes, more than DOCUMENT_MAX_BYTES (${settings.maxDocumentBytes})`,
        );
      }
      bucket = doc.content.object.bucket;
      object = doc.content.object.name;
      declared = { size: doc.content.size ?? null, sha256: doc.content.sha256 ?? null };
    }
    const inserted = await this.deps.db
      .insert(documents)
      .values({
        id: doc.id,
        kind: doc.kind,
        doctorId: doc.doctorId,
        centreId: doc.centreId,
        windowsLogin: doc.windowsLogin,
        patient: doc.patient,
        documentCreatedAt: doc.createdAt,
        mediaType: doc.content.mediaType,
        contentBucket: bucket,
        contentObject: object,
        contentSize: declared.size,
        contentSha256: declared.sha256,
        source,
        status: 'queued',
      })
      .onConflictDoNothing()
      .returning();
    const row = inserted[0] ?? (await this.find(doc.id));
    if (!row) throw new Error(`document ${doc.id} vanished after insert`);
    return { row, created: inserted.length === 1 };
  }

  async find(id: string): Promise<DocumentRow | undefined> {
    const rows = await this.deps.db.select().from(documents).where(eq(documents.id, id));
    return rows[0];
  }

  /** Converts a queued document; one run per id at a time in this process. */
  process(id: string): Promise<DocumentRow | undefined> {
    const running = this.inFlight.get(id);
    if (running) return running.then(() => this.find(id));
    const run = this.processOnce(id).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, run);
    return run;
  }

  private async processOnce(id: string): Promise<DocumentRow | undefined> {
    const row = await this.find(id);
    if (row?.status !== 'queued') return row;
    const { settings, logger } = this.deps;
    const log = { documentId: row.id, doctorId: row.doctorId };
    try {
      const mediaType = supportedMediaType(row.mediaType);
      if (!mediaType) {
        throw new DocumentRefusedError(
          `media type "${row.mediaType}" is not supported (PDF, PNG, JPEG, plain text or HTML)`,
        );
      }
      // The content is checked before the assets: a document that can never convert fails
      // now instead of waiting parked for a signature.
      const bytes = await (await this.deps.bus.objects(row.contentBucket)).get(row.contentObject);
      if (!bytes) {
        throw new DocumentRefusedError(
          `content object "${row.contentObject}" not found in bucket "${row.contentBucket}"`,
        );
      }
      const problem = storedContentProblem(row, bytes, settings.maxDocumentBytes);
      if (problem) throw new DocumentRefusedError(problem);
      const mismatch = contentMismatch(mediaType, bytes);
      if (mismatch) throw new DocumentRefusedError(mismatch);
      const letterhead = await this.deps.assets.letterhead(row.doctorId);
      const signature =
        settings.signatureImage === 'off'
          ? undefined
          : await this.deps.assets.signature(row.doctorId, settings.signatureCentreId);
      if (!signature && settings.signatureImage === 'required') {
        return await this.park(
          row,
          'missing-signature',
          `no signature image signature/${settings.signatureCentreId}_${row.doctorId}.png for doctor ${row.doctorId}`,
        );
      }
      if (!letterhead && settings.letterheadRequired) {
        return await this.park(
          row,
          'missing-letterhead',
          `no letterhead entete/${row.doctorId}.pdf for doctor ${row.doctorId}`,
        );
      }
      const result = await convertDocument({
        bytes,
        mediaType,
        declaredType: row.mediaType,
        title: `${row.kind} ${row.id}`,
        letterhead,
        letterheadPages: settings.letterheadPages,
        signatureImage: signature,
        pades: settings.pades,
        fonts: await loadFonts(),
        now: this.now(),
      });
      const fileName = documentFileName({
        id: row.id,
        kind: row.kind as GeneratedDocument['kind'],
        createdAt: row.documentCreatedAt,
        patient: row.patient,
      });
      const path = await this.deps.share.write(row.windowsLogin, fileName, result.pdf);
      const sha256 = createHash('sha256').update(result.pdf).digest('hex');
      const event: DocumentConvertedEvent = {
        documentId: row.id,
        doctorId: row.doctorId,
        windowsLogin: row.windowsLogin,
        path,
        sha256,
        bytes: result.pdf.length,
        pages: result.pages,
        signed: result.signed,
        convertedAt: this.now().toISOString(),
      };
      await this.deps.db.transaction(async (tx) => {
        const updated = await tx
          .update(documents)
          .set({
            status: 'converted',
            outputPath: path,
            sha256,
            bytes: result.pdf.length,
            pages: result.pages,
            error: null,
            attempts: sql`${documents.attempts} + 1`,
            updatedAt: this.now(),
          })
          .where(and(eq(documents.id, row.id), ne(documents.status, 'converted')) as SQL)
          .returning({ id: documents.id });
        if (updated.length === 1) {
          await enqueueEvents(tx, outbox, [
            { subject: TCS_SUBJECTS.documentConverted, msgId: `${row.id}.converted`, payload: event },
          ]);
        }
      });
      this.deps.relay.kick();
      logger.info({ ...log, pages: result.pages, signed: result.signed }, 'document converted');
      // Only our own copy is deleted: cpv2's bucket is cpv2's to clean.
      if (row.contentBucket === settings.sourceBucket) {
        await (await this.deps.bus.objects(row.contentBucket))
          .delete(row.contentObject)
          .catch(() => undefined);
      }
      return this.find(id);
    } catch (error) {
      if (
        error instanceof DocumentRefusedError ||
        error instanceof UnconvertibleDocumentError ||
        error instanceof UnsafeExportPathError
      ) {
        return this.fail(row, error.message);
      }
      // Transient (file share, object store, database): the caller retries.
      await this.deps.db
        .update(documents)
        .set({
          error: `will retry: ${describeError(error)}`,
          attempts: sql`${documents.attempts} + 1`,
          updatedAt: this.now(),
        })
        .where(eq(documents.id, row.id))
        .catch(() => undefined);
      logger.warn({ ...log, err: describeError(error) }, 'document conversion failed, will retry');
      throw error;
    }
  }

  private async park(row: DocumentRow, status: (typeof PARKED_STATUSES)[number], reason: string) {
    await this.deps.db
      .update(documents)
      .set({ status, error: reason, updatedAt: this.now() })
      .where(and(eq(documents.id, row.id), eq(documents.status, 'queued')) as SQL);
    this.deps.logger.warn({ documentId: row.id, doctorId: row.doctorId, status }, 'document parked');
    return this.find(row.id);
  }

  /** Marks a document failed with its reason and publishes the outcome. */
  async fail(row: Pick<DocumentRow, 'id' | 'doctorId' | 'attempts'>, reason: string) {
    const event: DocumentFailedEvent = {
      documentId: row.id,
      doctorId: row.doctorId,
      reason,
      failedAt: this.now().toISOString(),
    };
    await this.deps.db.transaction(async (tx) => {
      const updated = await tx
        .update(documents)
        .set({
          status: 'failed',
          error: reason,
          attempts: sql`${documents.attempts} + 1`,
          updatedAt: this.now(),
        })
        .where(and(eq(documents.id, row.id), ne(documents.status, 'converted')) as SQL)
        .returning({ attempts: documents.attempts });
      if (updated[0]) {
        await enqueueEvents(tx, outbox, [
          {
            subject: TCS_SUBJECTS.documentFailed,
            msgId: `${row.id}.failed.${updated[0].attempts}`,
            payload: event,
          },
        ]);
      }
    });
    this.deps.relay.kick();
    this.deps.logger.warn({ documentId: row.id, doctorId: row.doctorId, reason }, 'document failed');
    return this.find(row.id);
  }

  /** Puts failed or parked documents back in the queue; returns the ids to process. */
  async requeue(where: { id?: string; doctorId?: string }): Promise<string[]> {
    const conditions = [inArray(documents.status, ['failed', ...PARKED_STATUSES])];
    if (where.id) conditions.push(eq(documents.id, where.id));
    if (where.doctorId) {
      conditions.push(eq(documents.doctorId, where.doctorId));
      conditions.push(inArray(documents.status, [...PARKED_STATUSES]));
    }
    const rows = await this.deps.db
      .update(documents)
      // A fresh count: the sweeper's attempt limit applies from this release on.
      .set({ status: 'queued', attempts: 0, updatedAt: this.now() })
      .where(and(...conditions) as SQL)
      .returning({ id: documents.id });
    return rows.map((r) => r.id);
  }

  /** Processes in the background; a transient failure leaves the document queued for the sweeper. */
  processSoon(ids: string[]): void {
    for (const id of ids) {
      this.process(id).catch(() => undefined);
    }
  }

  /**
   * Queued documents nobody is working on (after a crash or a transient failure over HTTP).
   * HTTP documents have no bus redelivery limit and dead letter: past `maxAttempts` the sweeper
   * fails them, so they show on /errors instead of being retried forever.
   */
  async sweep(olderThanMs: number): Promise<void> {
    const cutoff = new Date(this.now().getTime() - olderThanMs);
    const rows = await this.deps.db
      .select({
        id: documents.id,
        doctorId: documents.doctorId,
        attempts: documents.attempts,
        error: documents.error,
      })
      .from(documents)
      .where(
        and(eq(documents.status, 'queued'), sql`${documents.updatedAt} < ${cutoff.toISOString()}`) as SQL,
      )
      .limit(50);
    for (const row of rows) {
      if (this.inFlight.has(row.id)) continue;
      if (row.attempts >= this.deps.settings.maxAttempts) {
        const last = row.error?.replace(/^will retry: /, '') ?? 'unknown error';
        await this.fail(row, `gave up after ${row.attempts} attempts: ${last}`);
      } else {
        await this.process(row.id).catch(() => undefined);
      }
    }
  }
}
