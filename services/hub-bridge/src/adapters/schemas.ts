import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SchemaSet } from '../domain/validation.ts';
import { HubValidator } from '../domain/validation.ts';

/** The official Hub Santé schemas shipped with the service (copied from SAMU-Hub-Modeles). */
export const SCHEMA_DIR = fileURLToPath(new URL('../../schemas', import.meta.url));

export function loadSchemas(dir = SCHEMA_DIR): SchemaSet {
  const set: SchemaSet = {};
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.schema.json')) set[file] = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'));
  }
  return set;
}

let shared: HubValidator | undefined;
/** One compiled validator per process: compiling the 22 schemas takes a moment. */
export function officialValidator(): HubValidator {
  shared ??= new HubValidator(loadSchemas());
  return shared;
}
