import { index, integer, jsonb, pgSchema, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** Everything hub-bridge stores lives in its own Postgres schema. */
export const hubBridgeSchema = pgSchema('hub_bridge');

/** One step in a message's life, shown in the trace (state, Hub report, RC-REF...). */
export interface TraceEvent {
  at: string;
  state: string;
  detail?: string;
}

/**
 * The trace of every message sent and received. A sent message is written here before it is
 * published, so a row still `pending` after a crash is re-published at start (outbox).
 */
export const messages = hubBridgeSchema.table(
  'messages',
  {
    distributionId: text('distribution_id').primaryKey(),
    direction: text('direction', { enum: ['sent', 'received'] }).notNull(),
    type: text('type').notNull(),
    kind: text('kind').notNull(),
    /** The other party: recipient of a sent message, sender of a received one. */
    peer: text('peer').notNull(),
    vhost: text('vhost').notNull(),
    format: text('format', { enum: ['json', 'xml'] }).notNull(),
    state: text('state').notNull(),
    errorCode: integer('error_code'),
    errorCause: text('error_cause'),
    /** The RC-REF that acknowledged this message (sent), or the one we answered with (received). */
    ackDistributionId: text('ack_distribution_id'),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    /** The caller's idempotency key for a sent message (bus msgId or HTTP `reference`). */
    reference: text('reference'),
    /** The body as on the wire, kept to re-publish or re-process; never logged. */
    body: text('body').notNull(),
    attempts: integer('attempts').notNull().default(0),
    history: jsonb('history').$type<TraceEvent[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('messages_reference_idx').on(t.reference),
    index('messages_created_idx').on(t.createdAt),
    index('messages_state_idx').on(t.state),
    // Hub reports about the RC-REFs we answered with are found by it.
    index('messages_ack_idx').on(t.ackDistributionId),
  ],
);
export type MessageRow = typeof messages.$inferSelect;
