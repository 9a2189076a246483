import { leaseTable, outboxTable } from '@hip/shared';
import type { PatientRef } from '@hip/shared/schemas';
import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';

/** Everything doc-converter stores lives in its own Postgres schema. */
export const docConverterSchema = pgSchema('doc_converter');
export const outbox = outboxTable(docConverterSchema);
export const leases = leaseTable(docConverterSchema);

export const DOCUMENT_STATUSES = [
  'queued',
  'converted',
  'missing-signature',
  'missing-letterhead',
  'failed',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** One row per document id: the primary key is what makes redelivery produce one file. */
export const documents = docConverterSchema.table(
  'documents',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    doctorId: text('doctor_id').notNull(),
    centreId: text('centre_id').notNull(),
    windowsLogin: text('windows_login').notNull(),
    patient: jsonb('patient').$type<PatientRef>().notNull(),
    documentCreatedAt: text('document_created_at').notNull(),
    mediaType: text('media_type').notNull(),
    /** Where the source bytes are kept until conversion succeeds (object store). */
    contentBucket: text('content_bucket').notNull(),
    contentObject: text('content_object').notNull(),
    /** What cpv2 declared for an object-store content, checked against the bytes read. */
    contentSize: integer('content_size'),
    contentSha256: text('content_sha256'),
    source: text('source').$type<'bus' | 'http'>().notNull(),
    status: text('status').$type<DocumentStatus>().notNull(),
    outputPath: text('output_path'),
    sha256: text('sha256'),
    bytes: integer('bytes'),
    pages: integer('pages'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('documents_status_idx').on(t.status, t.doctorId),
    index('documents_received_idx').on(t.receivedAt),
    index('documents_parked_idx')
      .on(t.doctorId)
      .where(sql`${t.status} in ('missing-signature', 'missing-letterhead')`),
  ],
);
export type DocumentRow = typeof documents.$inferSelect;

/** Every file read from the intake folder, received or refused. */
export const intakeFiles = docConverterSchema.table(
  'intake_files',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    fileName: text('file_name').notNull(),
    fileSha256: text('file_sha256').notNull(),
    status: text('status').$type<'received' | 'failed'>().notNull(),
    reason: text('reason'),
    line: integer('line'),
    column: integer('column'),
    repairs: jsonb('repairs').$type<{ line: number; column: number; what: string }[]>().notNull().default([]),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('intake_files_received_idx').on(t.receivedAt)],
);

/** Bus messages we could not take at all (invalid cpv2 message, dead letters), with the reason. */
export const busRejects = docConverterSchema.table('bus_rejects', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  subject: text('subject').notNull(),
  msgId: text('msg_id'),
  reason: text('reason').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});
