import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportShareError, exportShare, UnsafeExportPathError } from './export-share.ts';

describe('export share', () => {
  let parent: string;
  let root: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'share-'));
    root = join(parent, 'export');
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  it('creates the login folder on demand and leaves no temporary file', async () => {
    const path = await exportShare(root).write('jdupont', 'a_b_C_1.pdf', new Uint8Array([1, 2, 3]));
    expect(path).toBe('jdupont/a_b_C_1.pdf');
    expect(await readdir(join(root, 'jdupont'))).toEqual(['a_b_C_1.pdf']);
    expect([...(await readFile(join(root, path)))]).toEqual([1, 2, 3]);
  });

  it('replaces the file of the same document instead of adding a second one', async () => {
    const share = exportShare(root);
    await share.write('jdupont', 'x_1.pdf', new Uint8Array([1]));
    await share.write('jdupont', 'x_1.pdf', new Uint8Array([2]));
    expect(await readdir(join(root, 'jdupont'))).toEqual(['x_1.pdf']);
  });

  it.each(['..', '../outside', 'a/../../b', 'a\\..\\b', 'x\u0000', 'CON', 'aux', 'y'.repeat(300)])(
    'refuses the hostile login %j and writes nothing anywhere',
    async (login) => {
      await expect(exportShare(root).write(login, 'x_1.pdf', new Uint8Array([1]))).rejects.toBeInstanceOf(
        UnsafeExportPathError,
      );
      expect(await readdir(parent)).toEqual([]);
    },
  );

  it('refuses a file name with a path in it', async () => {
    await expect(exportShare(root).write('jdupont', '../x.pdf', new Uint8Array([1]))).rejects.toThrow(
      'file name refused',
    );
  });

  it('reports a share failure with the errno code and the login folder, never the file name (it holds the patient name)', async () => {
    // A folder where the PDF should go: rename() fails, as on a broken share.
    await mkdir(join(root, 'jdupont', '2026-11-20_courrier_DUPRE-H_1.pdf', 'x'), { recursive: true });
    const error = await exportShare(root)
      .write('jdupont', '2026-11-20_courrier_DUPRE-H_1.pdf', new Uint8Array([1]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportShareError);
    expect((error as Error).message).toBe('EISDIR writing to jdupont/');
    expect(JSON.stringify(error)).not.toContain('DUPRE');
    expect((error as Error).cause).toBeUndefined();
  });

  it('reports an unusable share root the same way', async () => {
    await writeFile(root, 'not a folder');
    await expect(exportShare(root).write('jdupont', 'x_DUPRE-H_1.pdf', new Uint8Array([1]))).rejects.toThrow(
      'ENOTDIR writing to jdupont/',
    );
  });
});
