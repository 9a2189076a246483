import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSchemas } from '../src/adapters/schemas.ts';
import { HUB_SANTE_DIR } from './fixtures.ts';

describe('the schemas shipped with the service', () => {
  it('are the official ones, every file, unchanged (formatting aside)', () => {
    const shipped = loadSchemas();
    const official = readdirSync(`${HUB_SANTE_DIR}/schemas`).filter((f) => f.endsWith('.schema.json'));
    expect(Object.keys(shipped).sort()).toEqual(official.sort());
    for (const file of official) {
      expect(shipped[file], file).toEqual(
        JSON.parse(readFileSync(`${HUB_SANTE_DIR}/schemas/${file}`, 'utf8')),
      );
    }
  });
});
