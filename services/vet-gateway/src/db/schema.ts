import { type FieldError, leaseTable, outboxTable } from '@hip/shared';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { Visit } from '../adapters/vetelevage/contract.ts';
import type { LgcvAct } from '../domain/acts.ts';

/** Everything vet-gateway stores lives in its own Postgres schema. */
export const vetGatewaySchema = pgSchema('vet_gateway');
export const outbox = outboxTable(vetGatewaySchema);
export const leases = leaseTable(vetGatewaySchema);

/** LGCV editor credentials for SaaS mode (one token for every linked account). */
export const editors = vetGatewaySchema.table('editors', {
  id: text('id').primaryKey(),
  secretSealed: text('secret_sealed').notNull(),
  lastImportAt: timestamp('last_import_at', { withTimezone: true }),
  lastImportStatus: text('last_import_status'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A linked Vétélevage account. Veterinarian mode: its own login and (sealed) password;
 * SaaS mode: imported through its editor's grouped calls.
 */
export const accounts = vetGatewaySchema.table('accounts', {
  id: text('id').primaryKey(),
  mode: text('mode').$type<'veterinaire' | 'saas'>().notNull(),
  editorId: text('editor_id'),
  login: text('login'),
  passwordSealed: text('password_sealed'),
  label: text('label'),
  /** The LGCV act list; null until the LGCV sends one. */
  acts: jsonb('acts').$type<LgcvAct[]>(),
  actsKey: text('acts_key'),
  actsPushedKey: text('acts_pushed_key'),
  actsPushedAt: timestamp('acts_pushed_at', { withTimezone: true }),
  actsPushError: text('acts_push_error'),
  lastImportAt: timestamp('last_import_at', { withTimezone: true }),
  lastImportStatus: text('last_import_status'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Each frozen batch seen, per import source (`account:<id>` or `editor:<id>`). `state`:
 * stored (visits committed, DELETE not yet confirmed), acknowledged (DELETE done),
 * changed (the batch changed between two GETs; held until two GETs agree).
 */
export const batches = vetGatewaySchema.table(
  'batches',
  {
    source: text('source').notNull(),
    lot: text('lot').notNull(),
    fingerprint: text('fingerprint').notNull(),
    visitHashes: jsonb('visit_hashes').$type<Record<string, string>>().notNull(),
    visitCount: integer('visit_count').notNull(),
    newVisits: integer('new_visits').notNull(),
    state: text('state').$type<'stored' | 'acknowledged' | 'changed'>().notNull(),
    storedAt: timestamp('stored_at', { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.source, t.lot] })],
);

/** Imported visits, keyed by the Vétélevage visit id: a batch seen twice is stored once. */
export const visits = vetGatewaySchema.table(
  'visits',
  {
    account: text('account').notNull(),
    visitId: text('visit_id').notNull(),
    lot: text('lot').notNull(),
    date: text('date').notNull(),
    payload: jsonb('payload').$type<Visit>().notNull(),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.account, t.visitId] }),
    index('visits_account_imported_idx').on(t.account, t.importedAt),
  ],
);

/** Vétélevage products seen in visits, per account: the list the vet maps from. */
export const seenProducts = vetGatewaySchema.table(
  'seen_products',
  {
    account: text('account').notNull(),
    vetelevageId: text('vetelevage_id').notNull(),
    label: text('label').notNull(),
    gtin14: text('gtin14'),
    rawGtin: text('raw_gtin'),
    /** Why the GTIN Vétélevage sent was not kept (bad check digit...): the product is mapped by id. */
    gtinError: text('gtin_error'),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.account, t.vetelevageId] })],
);

/** The LGCV product catalogue of an account, as the LGCV pushed it. */
export const catalogue = vetGatewaySchema.table(
  'catalogue',
  {
    account: text('account').notNull(),
    lgcvId: text('lgcv_id').notNull(),
    name: text('name').notNull(),
    gtin14: text('gtin14'),
    /** Why the GTIN the LGCV sent was not kept (bad check digit...), so the LGCV can fix it. */
    gtinError: text('gtin_error'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.account, t.lgcvId] })],
);

/** Learned once per account: Vétélevage product id -> LGCV product id. */
export const mappings = vetGatewaySchema.table(
  'mappings',
  {
    account: text('account').notNull(),
    vetelevageId: text('vetelevage_id').notNull(),
    lgcvId: text('lgcv_id').notNull(),
    origin: text('origin').$type<'confirmed' | 'api'>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.account, t.vetelevageId] })],
);

/** Every failure of an import, act push or delivery: visible, with its reason, until resolved. */
export const errors = vetGatewaySchema.table(
  'errors',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    source: text('source').notNull(),
    account: text('account'),
    operation: text('operation').notNull(),
    kind: text('kind').notNull(),
    detail: text('detail').notNull(),
    retryable: boolean('retryable').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    /** For `visit_rejected`: the kept visit, so that reprocessing it resolves the error. */
    rejectedVisitId: bigint('rejected_visit_id', { mode: 'number' }),
  },
  (t) => [index('errors_open_idx').on(t.source).where(sql`${t.resolvedAt} is null`)],
);

/**
 * Visits of a batch that did not match the contract, kept raw with their problems: the rest of
 * the batch is imported and the batch DELETEd, so nothing is lost and nothing blocks the account.
 * `account` is the visit's `compte` when it has a usable one.
 */
export const rejectedVisits = vetGatewaySchema.table(
  'rejected_visits',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    source: text('source').notNull(),
    account: text('account'),
    lot: text('lot').notNull(),
    position: integer('position').notNull(),
    visitId: text('visit_id'),
    /** As Vétélevage sent it (null when it sent null). */
    raw: jsonb('raw'),
    problems: jsonb('problems').$type<FieldError[]>().notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** Set once the visit was reprocessed and stored. */
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('rejected_visits_lot_idx').on(t.source, t.lot, t.position),
    index('rejected_visits_account_idx').on(t.account),
  ],
);
