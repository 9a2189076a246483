import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { officialValidator } from '../adapters/schemas.ts';
import { HubMessageError } from '../domain/hub-errors.ts';
import { typeByName } from '../domain/message-types.ts';
import type { HubValidator } from '../domain/validation.ts';
import { xmlContentToObject } from '../domain/xml.ts';

/**
 * Validates one file: a full EDXL-DE message or a bare content (type from its root key, or
 * from its folder name for the official TECHNICAL fixtures that have no root key).
 * Returns `OK` or `<code> <cause>`.
 */
export function validateFile(path: string, validator: HubValidator = officialValidator()): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return `102 cannot read file: ${error instanceof Error ? error.message : String(error)}`;
  }
  let body: unknown;
  try {
    body =
      path.toLowerCase().endsWith('.xml') || text.trimStart().startsWith('<')
        ? xmlContentToObject(text, validator)
        : JSON.parse(text);
  } catch (error) {
    if (error instanceof HubMessageError) return `${error.code} ${error.cause_}`;
    return `102 unparsable JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  let result = validator.validateAny(body);
  const folderType = typeByName(basename(dirname(path)));
  if (!result.ok && result.code === 301 && folderType && body && typeof body === 'object') {
    result = validator.validateContent({ [folderType.rootKey]: body });
  }
  return result.ok ? 'OK' : `${result.code} ${result.cause}`;
}

export function runValidate(files: string[], out: (line: string) => void): number {
  if (files.length === 0) {
    out('usage: hub-bridge validate FILE...');
    return 2;
  }
  let failed = 0;
  for (const file of files) {
    const line = validateFile(file);
    if (line !== 'OK') failed++;
    out(`${file}: ${line}`);
  }
  return failed > 0 ? 1 : 0;
}
