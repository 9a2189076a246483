import { fileURLToPath } from 'node:url';
import { bigserial, boolean, date, integer, jsonb, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { arcadSyncSchema } from '../db/schema.ts';

/**
 * The live flows' own tables, in the arcad_sync schema but with their own migrations
 * (`./migrations`, bookkeeping in `drizzle.arcad_sync_live_migrations`), applied after the main ones.
 */
export const liveMigrations = {
  folder: fileURLToPath(new URL('./migrations', import.meta.url)),
  schema: 'arcad_sync_live',
};

const at = (name: string) => timestamp(name, { withTimezone: true });

export type MessageStatus = 'pending' | 'applied' | 'ignored' | 'refused' | 'failed';

/** Every message received from ARCAD360, with its outcome: the log page of the console. */
export const liveMessages = arcadSyncSchema.table('live_messages', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  tenant: text('tenant').notNull(),
  messageId: text('message_id').notNull(),
  clientId: text('client_id').notNull(),
  sequence: integer('sequence').notNull(),
  kind: text('kind').notNull(),
  payload: jsonb('payload').notNull(),
  status: text('status').$type<MessageStatus>().notNull(),
  reason: text('reason'),
  retryable: boolean('retryable'),
  attempts: integer('attempts').notNull().default(0),
  changes: jsonb('changes').$type<string[]>().notNull().default([]),
  processedBy: text('processed_by'),
  receivedAt: at('received_at').notNull().defaultNow(),
  processedAt: at('processed_at'),
});

/** The last sequence applied per ARCAD client: messages are applied in this order, gap-free. */
export const liveCursors = arcadSyncSchema.table(
  'live_cursors',
  {
    tenant: text('tenant').notNull(),
    clientId: text('client_id').notNull(),
    lastSequence: integer('last_sequence').notNull(),
  },
  (t) => [primaryKey({ name: 'live_cursors_pk', columns: [t.tenant, t.clientId] })],
);

/** LIVIA's stays as this service knows them (pushed by LIVIA, or written from ARCAD). */
export const liveStays = arcadSyncSchema.table(
  'live_stays',
  {
    tenant: text('tenant').notNull(),
    liviaId: text('livia_id').notNull(),
    residentId: text('resident_id').notNull(),
    activityId: text('activity_id').notNull(),
    arcadStayId: text('arcad_stay_id'),
    startDate: date('start_date').notNull(),
    plannedEndDate: date('planned_end_date'),
    endDate: date('end_date'),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'live_stays_pk', columns: [t.tenant, t.liviaId] })],
);

/** LIVIA's absences written from ARCAD (types AUTRE and HOSPI only). */
export const liveAbsences = arcadSyncSchema.table(
  'live_absences',
  {
    tenant: text('tenant').notNull(),
    liviaId: text('livia_id').notNull(),
    residentId: text('resident_id').notNull(),
    activityId: text('activity_id').notNull(),
    arcadAbsenceId: text('arcad_absence_id').notNull(),
    type: text('type').notNull(),
    startDate: date('start_date').notNull(),
    endDate: date('end_date'),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'live_absences_pk', columns: [t.tenant, t.liviaId] })],
);

export type SendStatus = 'sent' | 'failed' | 'refused' | 'ignored';

/** The last live send of each LIVIA entity to ARCAD360; failures are parked here, retryable. */
export const liveSends = arcadSyncSchema.table(
  'live_sends',
  {
    tenant: text('tenant').notNull(),
    entity: text('entity').notNull(),
    liviaId: text('livia_id').notNull(),
    status: text('status').$type<SendStatus>().notNull(),
    reason: text('reason'),
    retryable: boolean('retryable'),
    attempts: integer('attempts').notNull().default(0),
    payload: jsonb('payload').notNull(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'live_sends_pk', columns: [t.tenant, t.entity, t.liviaId] })],
);
