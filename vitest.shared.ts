import { defineConfig } from 'vitest/config';

/**
 * The test settings of every package. Besides the usual output, each run writes its counts to
 * `.vitest-results.json`, which `scripts/test.mjs` sums into one line for the whole repository.
 */
export function packageTestConfig(options: { timeoutMs?: number; oneFileAtATime?: boolean } = {}) {
  return defineConfig({
    test: {
      testTimeout: options.timeoutMs ?? 30_000,
      fileParallelism: !options.oneFileAtATime,
      // Opening PGlite or a browser can take long on a loaded CI machine.
      hookTimeout: Math.max(options.timeoutMs ?? 30_000, 60_000),
      include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}', 'sim/**/*.test.{ts,tsx}'],
      reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    },
  });
}
