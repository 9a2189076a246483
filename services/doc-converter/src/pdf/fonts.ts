import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface FontFiles {
  regular: Uint8Array;
  bold: Uint8Array;
}

let cached: Promise<FontFiles> | undefined;

/** DejaVu Sans covers French accents, œ/Œ, the fi/fl ligatures and € (the standard 14 fonts do not). */
export function loadFonts(): Promise<FontFiles> {
  cached ??= (async () => {
    const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    const [regular, bold] = await Promise.all([
      readFile(join(dir, 'DejaVuSans.ttf')),
      readFile(join(dir, 'DejaVuSans-Bold.ttf')),
    ]);
    return { regular: new Uint8Array(regular), bold: new Uint8Array(bold) };
  })();
  return cached;
}
