import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';

/** A drizzle database, whichever driver is behind it (postgres-js or PGlite). */
// biome-ignore lint/suspicious/noExplicitAny: drizzle's own schema-less database type
export type Database = PgDatabase<PgQueryResultHKT, any>;

export interface DatabaseHandle {
  readonly kind: 'postgres' | 'pglite';
  readonly db: Database;
  /** Throws when the database does not answer, for readiness checks. */
  ping(): Promise<void>;
  /** Applies a service's migrations (recorded in `drizzle.<schema>_migrations`). */
  migrate(options: { folder: string; schema: string }): Promise<void>;
  close(): Promise<void>;
}
