import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Letterheads and signature images, in the seed's layout: `entete/<id>.pdf`, `signature/62_<id>.png`. */
export interface AssetStore {
  letterhead(doctorId: string): Promise<Uint8Array | undefined>;
  signature(doctorId: string, centreId: string): Promise<Uint8Array | undefined>;
  putLetterhead(doctorId: string, pdf: Uint8Array): Promise<void>;
  putSignature(doctorId: string, centreId: string, png: Uint8Array): Promise<void>;
}

/** Only ids the schema already validated reach here; the check is kept for defence in depth. */
const safeId = (id: string) => {
  if (!/^[A-Za-z0-9-]{1,32}$/.test(id)) throw new Error('invalid asset identifier');
  return id;
};

export function fileAssetStore(root: string): AssetStore {
  const letterheadPath = (doctorId: string) => join(root, 'entete', `${safeId(doctorId)}.pdf`);
  const signaturePath = (doctorId: string, centreId: string) =>
    join(root, 'signature', `${safeId(centreId)}_${safeId(doctorId)}.png`);
  const read = async (path: string) => {
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const put = async (path: string, bytes: Uint8Array) => {
    await mkdir(join(path, '..'), { recursive: true });
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temp, bytes);
    await rename(temp, path);
  };
  return {
    letterhead: (doctorId) => read(letterheadPath(doctorId)),
    signature: (doctorId, centreId) => read(signaturePath(doctorId, centreId)),
    putLetterhead: (doctorId, pdf) => put(letterheadPath(doctorId), pdf),
    putSignature: (doctorId, centreId, png) => put(signaturePath(doctorId, centreId), png),
  };
}
