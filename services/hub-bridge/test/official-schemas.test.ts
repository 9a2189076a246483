import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSchemas, SCHEMA_DIR } from '../src/adapters/schemas.ts';
import { MESSAGE_TYPES } from '../src/domain/message-types.ts';
import { HUB_SANTE_DIR } from './fixtures.ts';

/** `SHA256SUMS` of the copy: `<hash>  <path>` per line, written when the official files were copied. */
const manifest = () =>
  readFileSync(`${HUB_SANTE_DIR}/SHA256SUMS`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(/ {2}/) as [string, string]);

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(`${dir}/${e.name}`, `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

describe('the official Hub Santé data shipped with the service (hub-sante/)', () => {
  it('is byte for byte the copy made from SAMU-Hub-Modeles: every file listed, none changed, none added', () => {
    const listed = manifest();
    expect(listed.length).toBeGreaterThan(200);
    for (const [hash, path] of listed) {
      expect(
        createHash('sha256')
          .update(readFileSync(`${HUB_SANTE_DIR}/${path}`))
          .digest('hex'),
        path,
      ).toBe(hash);
    }
    const onDisk = ['schemas', 'examples', 'valid'].flatMap((d) =>
      filesUnder(`${HUB_SANTE_DIR}/${d}`, `${d}/`),
    );
    expect(onDisk.sort()).toEqual(
      listed
        .map(([, path]) => path)
        .filter((p) => p !== 'SOURCE_COMMIT')
        .sort(),
    );
    expect(readFileSync(`${HUB_SANTE_DIR}/SOURCE_COMMIT`, 'utf8').trim()).toMatch(/^[0-9a-f]{40}$/);
  });

  it('is the one set of schemas the validator loads, with a schema for every message type', () => {
    expect(SCHEMA_DIR).toBe(`${HUB_SANTE_DIR}/schemas`);
    const loaded = loadSchemas();
    const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));
    expect(Object.keys(loaded).sort()).toEqual(files.sort());
    for (const type of MESSAGE_TYPES) expect(Object.keys(loaded), type.type).toContain(type.schema);
  });
});
