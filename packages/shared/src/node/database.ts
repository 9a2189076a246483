import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { DatabaseHandle } from '../db/types.ts';

export interface OpenDatabaseOptions {
  /** A postgres:// URL; without it, PGlite is used. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory` keeps nothing. */
  dataDir?: string | 'memory';
  /** Pool size for Postgres. Default 10. */
  maxConnections?: number;
}

// Migrations of one database are applied one service at a time, even in the single process.
let migrating: Promise<void> = Promise.resolve();
const serially = (fn: () => Promise<void>) => {
  const run = migrating.then(fn, fn);
  migrating = run.catch(() => undefined);
  return run;
};

/**
 * Postgres through postgres-js when a URL is given, PGlite under `dataDir` otherwise.
 *
 * @example
 * const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
 * await database.migrate({ folder: new URL('./migrations', import.meta.url).pathname, schema: 'doc_converter' });
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url) {
    const client = postgres(options.url, { max: options.maxConnections ?? 10, onnotice: () => undefined });
    const db = drizzlePostgres(client);
    return {
      kind: 'postgres',
      db,
      async ping() {
        await client`select 1`;
      },
      migrate: ({ folder, schema }) =>
        serially(() =>
          migratePostgres(db, {
            migrationsFolder: folder,
            migrationsSchema: 'drizzle',
            migrationsTable: `${schema}_migrations`,
          }),
        ),
      async close() {
        await client.end({ timeout: 5 });
      },
    };
  }
  let dir: string | undefined;
  if (options.dataDir !== 'memory') {
    dir = join(options.dataDir ?? '.data', 'pglite');
    mkdirSync(dir, { recursive: true });
  }
  const client = new PGlite(dir);
  await client.waitReady;
  const db = drizzlePglite(client);
  return {
    kind: 'pglite',
    db,
    async ping() {
      await db.execute(sql`select 1`);
    },
    migrate: ({ folder, schema }) =>
      serially(() =>
        migratePglite(db, {
          migrationsFolder: folder,
          migrationsSchema: 'drizzle',
          migrationsTable: `${schema}_migrations`,
        }),
      ),
    async close() {
      await client.close();
    },
  };
}
