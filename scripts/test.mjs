#!/usr/bin/env node
// Runs every package's tests through turbo, then prints one line for the whole repository:
// "N passed, N failed" (CI reads it), summed from each package's vitest JSON results.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = ['packages', 'services']
  .flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(root, dir, name)))
  .concat(join(root, 'deploy'))
  .filter((dir) => existsSync(join(dir, 'package.json')));

for (const dir of packages) rmSync(join(dir, '.vitest-results.json'), { force: true });

const run = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'test', '--continue', '--concurrency=3', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
const failures = [];
for (const dir of packages) {
  const file = join(dir, '.vitest-results.json');
  const name = dir.slice(root.length);
  if (!existsSync(file)) {
    rows.push(`  ${name.padEnd(26)} no results (did its tests start?)`);
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const suitesFailed = r.testResults.filter(
    (t) => t.status === 'failed' && t.assertionResults.length === 0,
  ).length;
  for (const suite of r.testResults) {
    const file = suite.name.slice(root.length);
    if (suite.status === 'failed' && suite.assertionResults.length === 0)
      failures.push(`${file}\n${firstLines(suite.message)}`);
    for (const test of suite.assertionResults.filter((t) => t.status === 'failed'))
      failures.push(`${file} > ${test.fullName}\n${firstLines(test.failureMessages.join('\n'))}`);
  }
  passed += r.numPassedTests;
  failed += r.numFailedTests + suitesFailed;
  skipped += r.numPendingTests + r.numTodoTests;
  rows.push(
    `  ${name.padEnd(26)} ${r.numPassedTests} passed, ${r.numFailedTests + suitesFailed} failed` +
      (r.numPendingTests ? `, ${r.numPendingTests} not run` : ''),
  );
}
// The failures are repeated here, at the end, where a truncated CI log still shows them.
if (failures.length) console.log(`\nFailed tests:\n\n${failures.join('\n\n')}`);
console.log(`\nTests by package:\n${rows.join('\n')}\n`);
const turboFailed = run.status !== 0;
if (turboFailed && failed === 0) failed = 1; // a package whose tests could not even start
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(turboFailed || failed > 0 ? 1 : 0);

function firstLines(text = '', count = 12) {
  return text
    .split('\n')
    .filter((line) => !/node_modules|\(<anonymous>\)/.test(line)) // the runner's own stack frames
    .slice(0, count)
    .map((line) => `    ${line}`)
    .join('\n');
}
