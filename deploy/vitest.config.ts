import { packageTestConfig } from '../vitest.shared.ts';

// Starting the whole platform, and every service under Deno, takes longer than a unit test.
// Each file starts whole platforms, images or five Deno processes: side by side on a 2-core
// machine they starve each other past their start timeouts, so they run one after the other.
export default packageTestConfig({ timeoutMs: 120_000, oneFileAtATime: true });
