import postgres from 'postgres';
import type { DatabaseHandle } from '../db/types.ts';
import { openDatabase } from '../node/database.ts';
import { serverUrl } from './servers.ts';

/**
 * A database of its own for one test file: a freshly created Postgres database on the real
 * server when `DATABASE_URL` is set, an in-memory PGlite otherwise. `drop()` removes it.
 */
export async function freshDatabase(
  options: { real?: boolean } = {},
): Promise<DatabaseHandle & { drop(): Promise<void>; url?: string }> {
  const base = serverUrl('postgres');
  if (!base || options.real === false) {
    const handle = await openDatabase({ dataDir: 'memory' });
    return Object.assign(handle, { drop: () => handle.close() });
  }
  const name = `test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(base, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), maxConnections: 5 });
  return Object.assign(handle, {
    url: url.toString(),
    async drop() {
      await handle.close();
      const again = postgres(base, { max: 1, onnotice: () => undefined });
      await again.unsafe(`drop database if exists "${name}" with (force)`);
      await again.end();
    },
  });
}
