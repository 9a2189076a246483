import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

// tsx, vitest and Deno each pick the JSX transform from the tsconfig of the folder a process
// starts in (`deploy/` for `pnpm start`), unless the file says it itself. Every page must render
// however it is started, so every .tsx file names its runtime and import source.
describe('JSX compilation independent of the starting directory', () => {
  const files = execFileSync('git', ['ls-files', '*.tsx'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter(Boolean);

  it('finds the pages', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)('%s declares the automatic runtime from hono/jsx', (file) => {
    const head = readFileSync(join(root, file), 'utf8').slice(0, 200);
    expect(head).toMatch(/^\/\*\* @jsxRuntime automatic \*\/\n\/\*\* @jsxImportSource hono\/jsx \*\//);
  });
});
