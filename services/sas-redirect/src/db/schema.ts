import { leaseTable, outboxTable } from '@hip/shared';
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** Everything sas-redirect stores lives in its own Postgres schema. */
export const sasRedirectSchema = pgSchema('sas_redirect');
export const outbox = outboxTable(sasRedirectSchema);
export const leases = leaseTable(sasRedirectSchema);

/**
 * Contexts waiting to be used: a launch prepared by `POST /contexts`, or a token-mode context the
 * SAS redeems once. Kept server-side so that patient data never rides in our own URLs.
 */
export const pendingContexts = sasRedirectSchema.table(
  'pending_contexts',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['launch', 'token'] }).notNull(),
    origin: text('origin').notNull(),
    context: jsonb('context').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
  },
  (t) => [index('pending_contexts_expires_idx').on(t.expiresAt)],
);

/** A Pro Santé Connect login in progress: PKCE verifier, state, nonce and where to go after. */
export const loginTransactions = sasRedirectSchema.table('login_transactions', {
  state: text('state').primaryKey(),
  nonce: text('nonce').notNull(),
  codeVerifier: text('code_verifier').notNull(),
  /** Id of the pending context to launch once logged in. */
  contextId: text('context_id'),
  returnTo: text('return_to'),
  /** SHA-256 of the login cookie of the browser that started it: the callback must come from it. */
  browserHash: text('browser_hash'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/** Regulator sessions, looked up by the SHA-256 of the cookie value (a stolen table gives no cookie). */
export const sessions = sasRedirectSchema.table('sessions', {
  idHash: text('id_hash').primaryKey(),
  nationalId: text('national_id').notNull(),
  profession: text('profession'),
  specialty: text('specialty'),
  displayName: text('display_name'),
  accessToken: text('access_token').notNull(),
  refreshToken: text('refresh_token'),
  idToken: text('id_token'),
  accessExpiresAt: timestamp('access_expires_at', { withTimezone: true }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/** Redirects made, without patient data: for the admin page and support. */
export const redirects = sasRedirectSchema.table('redirects', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  origin: text('origin').notNull(),
  mode: text('mode').notNull(),
  regulator: text('regulator'),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});

/** Current state of each appointment, per LRM (the Hub recipient). */
export const appointments = sasRedirectSchema.table(
  'appointments',
  {
    lrm: text('lrm').notNull(),
    appointmentId: text('appointment_id').notNull(),
    status: text('status').notNull(),
    start: text('start').notNull(),
    state: jsonb('state').notNull(),
    version: integer('version').notNull(),
    /** When the SAS sent the message that gave this state: an older message must not replace it. */
    sentAt: timestamp('sent_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.lrm, t.appointmentId] })],
);

/** Every appointment message applied, in order: the history the LRM can replay. */
export const appointmentHistory = sasRedirectSchema.table(
  'appointment_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    lrm: text('lrm').notNull(),
    appointmentId: text('appointment_id').notNull(),
    method: text('method').notNull(),
    /**
     * What we did: created, updated, created from an update of an unknown id, or `stale` (sent
     * before the state we held: recorded, not applied).
     */
    applied: text('applied').notNull(),
    status: text('status').notNull(),
    state: jsonb('state').notNull(),
    distributionId: text('distribution_id').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('appointment_history_message_idx').on(t.lrm, t.distributionId, t.appointmentId),
    index('appointment_history_lookup_idx').on(t.lrm, t.appointmentId),
  ],
);

/** Messages we could not apply, with the reason; retried from the API or the admin page. */
export const parkedMessages = sasRedirectSchema.table('parked_messages', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  subject: text('subject').notNull(),
  reason: text('reason').notNull(),
  payload: text('payload').notNull(),
  headers: jsonb('headers').$type<Record<string, string>>().notNull().default({}),
  parkedAt: timestamp('parked_at', { withTimezone: true }).notNull().defaultNow(),
  retriedAt: timestamp('retried_at', { withTimezone: true }),
  resolvedAt: timestamp('resolved_at', { withTimezone: true }),
});
