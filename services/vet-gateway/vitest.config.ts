import { packageTestConfig } from '../../vitest.shared.ts';

// Starting a service on a fresh embedded PGlite takes seconds on a loaded 2-core CI machine.
export default packageTestConfig({ timeoutMs: 90_000 });
