import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allFixtureFiles, STALE_FIXTURES as STALE } from '../../test/fixtures.ts';
import { validateFile } from './validate.ts';

describe('hub-bridge validate', () => {
  it('accepts every official example and valid message, JSON and XML (except the two stale XML files)', () => {
    const files = allFixtureFiles();
    expect(files.length).toBeGreaterThan(150);
    const verdicts = files.map((f) => [f.split('/hub-sante/')[1] as string, validateFile(f)] as const);
    const refused = verdicts.filter(([, v]) => v !== 'OK');
    expect(refused.map(([f]) => f).sort()).toEqual([...STALE.keys()].sort());
    for (const [file, line] of refused) expect(line).toContain(STALE.get(file));
  });

  it('prints the code and cause of a bad file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-validate-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ resourcesStatus: { caseId: 'x' } }));
    writeFileSync(join(dir, 'broken.json'), '{');
    writeFileSync(join(dir, 'xxe.xml'), '<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>');
    expect(validateFile(join(dir, 'bad.json'))).toMatch(/^300 \/resourcesStatus\/resourceId is required/);
    expect(validateFile(join(dir, 'broken.json'))).toMatch(/^102 /);
    expect(validateFile(join(dir, 'xxe.xml'))).toMatch(/^102 .*DTD/);
  });

  it('runs as a command: one line per file, exit 1 when one is invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-validate-'));
    const good = allFixtureFiles().find((f) => f.endsWith('RC-REF/RC-REF.json')) as string;
    writeFileSync(join(dir, 'bad.json'), '{}');
    const bin = fileURLToPath(new URL('../../bin/hub-bridge.ts', import.meta.url));
    const ok = execFileSync('pnpm', ['exec', 'tsx', bin, 'validate', good], { encoding: 'utf8' });
    expect(ok.trim()).toBe(`${good}: OK`);
    const bad = spawnSync('pnpm', ['exec', 'tsx', bin, 'validate', good, join(dir, 'bad.json')], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stdout.trim().split('\n')).toHaveLength(2);
    expect(bad.stdout).toContain('bad.json: 301');
  }, 60_000);

  it('runs as `pnpm --filter hub-bridge validate FILE...` from the repository root, paths relative to it', () => {
    const root = fileURLToPath(new URL('../../../..', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'hub-validate-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ resourcesStatus: { caseId: 'x' } }));
    const good = relative(root, allFixtureFiles().find((f) => f.endsWith('RC-REF/RC-REF.json')) as string);
    expect(good.startsWith('services/hub-bridge/hub-sante/')).toBe(true);
    const run = (...files: string[]) =>
      spawnSync('pnpm', ['--silent', '--filter', 'hub-bridge', 'validate', ...files], {
        cwd: root,
        encoding: 'utf8',
      });
    const ok = run(good);
    expect(ok.status).toBe(0);
    expect(ok.stdout.trim()).toMatch(/RC-REF\/RC-REF\.json: OK$/);
    const bad = run(good, join(dir, 'bad.json'));
    expect(bad.status).toBe(1);
    const lines = bad.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/bad\.json: 300 \/resourcesStatus\/resourceId is required/);
  }, 60_000);
});
