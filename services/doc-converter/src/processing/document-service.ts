import type { Database } from '@hip/shared';
import { AppError } from '@hip/shared';
import { desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { PDFDocument } from 'pdf-lib';
import type { AssetStore } from '../adapters/assets.ts';
import {
  busRejects,
  DOCUMENT_STATUSES,
  type DocumentRow,
  type DocumentStatus,
  documents,
  intakeFiles,
} from '../db/schema.ts';
import { signaturePngProblem } from '../domain/png.ts';
import {
  AssetRefusedError,
  type DoctorErrors,
  type DocumentService,
  type DocumentView,
  type IntakeFileView,
} from '../service-api.ts';
import { type DocumentProcessor, DocumentRefusedError, PARKED_STATUSES } from './document-processor.ts';

export function toView(row: DocumentRow): DocumentView {
  return {
    id: row.id,
    kind: row.kind,
    doctorId: row.doctorId,
    centreId: row.centreId,
    windowsLogin: row.windowsLogin,
    status: row.status,
    outputPath: row.outputPath,
    sha256: row.sha256,
    error: row.error,
    attempts: row.attempts,
    source: row.source,
    receivedAt: row.receivedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Why a letterhead PDF cannot be used; undefined when it can. */
export async function letterheadPdfProblem(bytes: Uint8Array): Promise<string | undefined> {
  if (bytes.length === 0) return 'is empty';
  try {
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    if (doc.getPageCount() === 0) return 'has no page';
    // Embedding is what conversion will do: try it now rather than fail every document later.
    await (await PDFDocument.create()).embedPdf(bytes, [0]);
    return undefined;
  } catch (error) {
    return `is not a usable PDF: ${(error as Error).message}`;
  }
}

export function documentService(deps: {
  db: Database;
  processor: DocumentProcessor;
  assets: AssetStore;
  signatureCentreId: string;
}): DocumentService {
  const { db, processor, assets } = deps;
  const release = async (doctorId: string) => {
    const ids = await processor.requeue({ doctorId });
    processor.processSoon(ids);
    return { released: ids };
  };
  return {
    async submit(doc) {
      try {
        const { row, created } = await processor.accept(doc, 'http');
        if (created) processor.processSoon([row.id]);
        return { id: row.id, created };
      } catch (error) {
        if (error instanceof DocumentRefusedError) throw new AppError('UNPROCESSABLE', error.message);
        throw error;
      }
    },
    async get(id) {
      const row = await processor.find(id);
      return row && toView(row);
    },
    overview(limit) {
      // Repeatable read: a document converted between the two queries must not show as
      // converted in the list while the counts still say queued.
      return db.transaction(
        async (tx) => {
          const rows = await tx.select().from(documents).orderBy(desc(documents.receivedAt)).limit(limit);
          const byStatus = await tx
            .select({ status: documents.status, n: sql<number>`count(*)::int` })
            .from(documents)
            .groupBy(documents.status);
          const counts = Object.fromEntries(DOCUMENT_STATUSES.map((s) => [s, 0])) as Record<
            DocumentStatus,
            number
          >;
          for (const r of byStatus) counts[r.status] = Number(r.n);
          return { counts, documents: rows.map(toView) };
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      );
    },
    async errorsByDoctor() {
      const rows = await db
        .select()
        .from(documents)
        .where(inArray(documents.status, ['failed', ...PARKED_STATUSES]) as SQL)
        .orderBy(documents.doctorId, desc(documents.receivedAt));
      const byDoctor = new Map<string, DoctorErrors>();
      for (const row of rows) {
        let entry = byDoctor.get(row.doctorId);
        if (!entry) {
          entry = {
            doctorId: row.doctorId,
            missingSignature: 0,
            missingLetterhead: 0,
            failed: 0,
            documents: [],
          };
          byDoctor.set(row.doctorId, entry);
        }
        if (row.status === 'missing-signature') entry.missingSignature++;
        if (row.status === 'missing-letterhead') entry.missingLetterhead++;
        if (row.status === 'failed') entry.failed++;
        entry.documents.push(toView(row));
      }
      return [...byDoctor.values()];
    },
    async rejectedMessages(limit) {
      const rows = await db.select().from(busRejects).orderBy(desc(busRejects.receivedAt)).limit(limit);
      return rows.map((r) => ({
        subject: r.subject,
        msgId: r.msgId,
        reason: r.reason,
        receivedAt: r.receivedAt.toISOString(),
      }));
    },
    async retry(id) {
      const ids = await processor.requeue({ id });
      processor.processSoon(ids);
      const row = await processor.find(id);
      return row && toView(row);
    },
    async retryAndSettle(id) {
      const ids = await processor.requeue({ id });
      // A transient failure leaves the document queued with the error: the view says so.
      for (const queued of ids) await processor.process(queued).catch(() => undefined);
      const row = await processor.find(id);
      return row && toView(row);
    },
    async putSignature(doctorId, png) {
      const problem = await signaturePngProblem(png);
      if (problem) throw new AssetRefusedError(`signature refused: the PNG ${problem}`);
      await assets.putSignature(doctorId, deps.signatureCentreId, png);
      return release(doctorId);
    },
    async putLetterhead(doctorId, pdf) {
      const problem = await letterheadPdfProblem(pdf);
      if (problem) throw new AssetRefusedError(`letterhead refused: the file ${problem}`);
      await assets.putLetterhead(doctorId, pdf);
      return release(doctorId);
    },
    async intakeFiles(limit, status) {
      const rows = await db
        .select()
        .from(intakeFiles)
        .where(status ? eq(intakeFiles.status, status) : undefined)
        .orderBy(desc(intakeFiles.receivedAt))
        .limit(limit);
      return rows.map(
        (r): IntakeFileView => ({
          id: r.id,
          fileName: r.fileName,
          status: r.status,
          reason: r.reason,
          line: r.line,
          column: r.column,
          repairs: r.repairs,
          receivedAt: r.receivedAt.toISOString(),
        }),
      );
    },
  };
}
