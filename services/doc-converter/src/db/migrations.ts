import { fileURLToPath } from 'node:url';

/** Where drizzle-kit writes this service's migrations, applied at start. */
export const migrations = {
  folder: fileURLToPath(new URL('./migrations', import.meta.url)),
  schema: 'doc_converter',
};
