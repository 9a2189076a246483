import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { windowsLoginProblem } from '../domain/export-path.ts';

/** A login or file name that would escape the share: permanent, never retried. */
export class UnsafeExportPathError extends Error {
  override name = 'UnsafeExportPathError';
}

/**
 * The share failed (unmounted, full, read-only): transient, retried. Node's message would name
 * the file, whose name carries the patient's last name, and it ends up in logs and in the
 * document's error: only the errno code and the login folder are kept, and no `cause`.
 */
export class ExportShareError extends Error {
  override name = 'ExportShareError';
  readonly code: string;
  constructor(windowsLogin: string, error: unknown) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    super(`${code} writing to ${windowsLogin}/`);
    this.code = code;
  }
}

export interface ExportShare {
  /** Writes `<root>/<login>/<fileName>` atomically; returns the path relative to the root. */
  write(windowsLogin: string, fileName: string, bytes: Uint8Array): Promise<string>;
  /** Absolute path of a relative output path (for tests and the admin page). */
  resolve(relativePath: string): string;
}

export function exportShare(root: string): ExportShare {
  const base = resolve(root);
  const inside = (path: string) => path.startsWith(base + sep);
  return {
    resolve: (relativePath) => {
      const path = resolve(base, relativePath);
      if (!inside(path)) throw new UnsafeExportPathError('path outside the export root');
      return path;
    },
    async write(windowsLogin, fileName, bytes) {
      const problem = windowsLoginProblem(windowsLogin);
      if (problem) throw new UnsafeExportPathError(`Windows login refused: it ${problem}`);
      if (!/^[A-Za-z0-9._-]+\.pdf$/.test(fileName) || fileName.includes('..')) {
        throw new UnsafeExportPathError('output file name refused');
      }
      const folder = resolve(base, windowsLogin);
      const target = resolve(folder, fileName);
      // The checks above already forbid it; this is the last line of defence.
      if (!inside(folder) || !target.startsWith(folder + sep)) {
        throw new UnsafeExportPathError('output path would leave the export root');
      }
      try {
        await mkdir(folder, { recursive: true });
      } catch (error) {
        throw new ExportShareError(windowsLogin, error);
      }
      // A dot-prefixed temporary name in the same folder: the doctor's Explorer hides it and
      // rename() within one file system is atomic, so a half-written PDF is never visible.
      const temp = resolve(folder, `.${fileName}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        const handle = await open(temp, 'wx', 0o640);
        try {
          await handle.writeFile(bytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw new ExportShareError(windowsLogin, error);
      }
      return relative(base, target).split(sep).join('/');
    },
  };
}
