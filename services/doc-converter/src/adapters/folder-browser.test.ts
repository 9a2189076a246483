import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowsePathError } from '../domain/browse-path.ts';
import { fileRef, intakeErrorsBrowser, shareBrowser } from './folder-browser.ts';

describe('folder browser', () => {
  let dir: string;
  let share: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'doc-browse-'));
    share = join(dir, 'share');
    await mkdir(join(share, 'mlefevre'), { recursive: true });
    await writeFile(join(share, 'mlefevre', '2026-11-20_courrier_DUPRE-H_D1.pdf'), '%PDF-1.7 one');
    await writeFile(join(share, 'mlefevre', '.2026-11-20_courrier_DUPRE-H_D2.pdf.ab12.tmp'), 'half');
    await writeFile(join(share, 'mlefevre', 'notes.docx'), 'not a PDF');
    await writeFile(join(dir, 'secret.pdf'), '%PDF outside the share');
    await symlink(dir, join(share, 'escape'));
    await symlink(join(dir, 'secret.pdf'), join(share, 'mlefevre', 'linked.pdf'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists folders and the PDFs of a folder, not temporary files, other types or symbolic links', async () => {
    const browser = shareBrowser(share);
    expect((await browser.list([]))?.folders).toEqual(['mlefevre']);
    const folder = await browser.list(['mlefevre']);
    expect(folder?.files.map((f) => f.name)).toEqual(['2026-11-20_courrier_DUPRE-H_D1.pdf']);
    expect(folder?.files[0]?.ref).toBe(fileRef('2026-11-20_courrier_DUPRE-H_D1.pdf'));
    expect(folder?.files[0]?.ref).not.toContain('DUPRE');
  });

  it('reads a PDF by its ref or its name, as application/pdf', async () => {
    const browser = shareBrowser(share);
    const name = '2026-11-20_courrier_DUPRE-H_D1.pdf';
    const byRef = await browser.file(['mlefevre'], { ref: fileRef(name) });
    expect(byRef?.mediaType).toBe('application/pdf');
    expect(new TextDecoder().decode(byRef?.bytes)).toBe('%PDF-1.7 one');
    expect((await browser.file(['mlefevre'], { name }))?.name).toBe(name);
    expect(await browser.file(['mlefevre'], { name: 'linked.pdf' })).toBeUndefined();
    expect(await browser.file(['mlefevre'], { ref: 'nope' })).toBeUndefined();
  });

  it('refuses a symbolic link that leads out of the root', async () => {
    await expect(shareBrowser(share).list(['escape'])).rejects.toThrow(BrowsePathError);
    await expect(shareBrowser(share).file(['escape'], { name: 'secret.pdf' })).rejects.toThrow(
      BrowsePathError,
    );
  });

  it('answers undefined for a folder that does not exist, and an empty root before its first file', async () => {
    expect(await shareBrowser(share).list(['nobody'])).toBeUndefined();
    expect(await shareBrowser(join(dir, 'absent')).list([])).toEqual({ path: [], folders: [], files: [] });
    expect(await shareBrowser(join(dir, 'absent')).file([], { name: 'x.pdf' })).toBeUndefined();
  });

  it("shows the intake folder's refused XML and reasons as plain text", async () => {
    const intake = join(dir, 'intake');
    await mkdir(join(intake, 'errors'), { recursive: true });
    await writeFile(join(intake, 'errors', 'tcs_12_hostile.xml'), '<!DOCTYPE d>');
    await writeFile(join(intake, 'errors', 'tcs_12_hostile.xml.reason.txt'), 'DTD refused\n');
    const browser = intakeErrorsBrowser(intake);
    expect((await browser.list([]))?.files.map((f) => f.name)).toEqual([
      'tcs_12_hostile.xml',
      'tcs_12_hostile.xml.reason.txt',
    ]);
    expect((await browser.file([], { name: 'tcs_12_hostile.xml' }))?.mediaType).toBe(
      'text/plain; charset=utf-8',
    );
  });
});
