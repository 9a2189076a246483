import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { BrowsePathError } from '../domain/browse-path.ts';
import type { BrowsedFile, BrowsedFolder, FolderBrowser } from '../service-api.ts';

/** The URL name of a file: stable, short, and without the patient name the file name carries. */
export const fileRef = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 24);

const missing = (error: unknown) =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * Browses `root` read-only. `mediaTypeOf` says which files are shown (and as what); others,
 * hidden names and symbolic links are not listed. A path is resolved through its symbolic links
 * and refused unless the real path is still inside the root: a link placed on the share must not
 * open the rest of the disk.
 */
export function folderBrowser(
  root: string,
  mediaTypeOf: (name: string) => string | undefined,
): FolderBrowser {
  const realRoot = async () => {
    try {
      return await realpath(root);
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  };
  const resolveInside = async (path: string[]) => {
    const base = await realRoot();
    if (base === undefined) return undefined;
    let real: string;
    try {
      real = await realpath(join(base, ...path));
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
    if (real !== base && !real.startsWith(base + sep))
      throw new BrowsePathError('the path leaves the browsed folder');
    return real;
  };
  const list = async (path: string[]): Promise<BrowsedFolder | undefined> => {
    const folder = await resolveInside(path);
    // The root appears with the first file written to it (errors/ with the first refusal):
    // until then it is an empty folder, not a missing page.
    if (folder === undefined) return path.length === 0 ? { path, folders: [], files: [] } : undefined;
    let entries: Dirent[];
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
    const visible = entries.filter((e) => !e.name.startsWith('.'));
    const files: BrowsedFolder['files'] = [];
    for (const e of visible) {
      if (!e.isFile() || !mediaTypeOf(e.name)) continue;
      const info = await stat(join(folder, e.name));
      files.push({
        name: e.name,
        ref: fileRef(e.name),
        bytes: info.size,
        modifiedAt: info.mtime.toISOString(),
      });
    }
    return {
      path,
      folders: visible
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort(),
      files: files.sort((a, b) => a.name.localeCompare(b.name)),
    };
  };
  return {
    list,
    async file(path, which): Promise<BrowsedFile | undefined> {
      const folder = await resolveInside(path);
      if (folder === undefined) return undefined;
      const listed = await list(path);
      const entry = listed?.files.find((f) => ('ref' in which ? f.ref === which.ref : f.name === which.name));
      if (!entry) return undefined;
      const mediaType = mediaTypeOf(entry.name);
      if (!mediaType) return undefined;
      return { name: entry.name, mediaType, bytes: new Uint8Array(await readFile(join(folder, entry.name))) };
    },
  };
}

/** The export share: folders and the PDFs written to them. */
export const shareBrowser = (exportRoot: string) =>
  folderBrowser(exportRoot, (name) => (/\.pdf$/i.test(name) ? 'application/pdf' : undefined));

/** The intake folder's `errors/`: refused XML files and the reason written next to each. */
export const intakeErrorsBrowser = (intakeDir: string) =>
  folderBrowser(join(intakeDir, 'errors'), (name) =>
    // Shown as text, never as XML: a refused file is hostile input and must not be rendered.
    /\.(xml|txt)$/i.test(name) ? 'text/plain; charset=utf-8' : undefined,
  );
