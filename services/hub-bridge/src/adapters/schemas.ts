import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SchemaSet } from '../domain/validation.ts';
import { HubValidator } from '../domain/validation.ts';

/** The official Hub Santé data shipped with the service (copied from SAMU-Hub-Modeles, see its README). */
export const HUB_SANTE_DIR = fileURLToPath(new URL('../../hub-sante', import.meta.url));

/** The official JSON Schemas: the one copy the service validates with. */
export const SCHEMA_DIR = `${HUB_SANTE_DIR}/schemas`;

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
