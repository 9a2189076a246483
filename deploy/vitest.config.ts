import { packageTestConfig } from '../vitest.shared.ts';

// Starting the whole platform, and every service under Deno, takes longer than a unit test.
export default packageTestConfig({ timeoutMs: 120_000 });
