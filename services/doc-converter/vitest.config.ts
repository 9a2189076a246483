import { packageTestConfig } from '../../vitest.shared.ts';

// PDF rendering and a fresh embedded database per suite take seconds on a loaded CI machine.
export default packageTestConfig({ timeoutMs: 90_000 });
