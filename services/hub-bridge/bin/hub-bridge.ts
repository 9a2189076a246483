#!/usr/bin/env -S npx tsx
import { resolve } from 'node:path';
import { runValidate } from '../src/cli/validate.ts';

const [command, ...args] = process.argv.slice(2);
if (command !== 'validate') {
  process.stderr.write('usage: hub-bridge validate FILE...\n');
  process.exit(2);
}
// pnpm --filter runs scripts in the package folder: paths are resolved from where the user typed them.
const cwd = process.env.INIT_CWD ?? process.cwd();
process.exitCode = runValidate(
  args.map((a) => resolve(cwd, a)),
  (line) => process.stdout.write(`${line}\n`),
);
