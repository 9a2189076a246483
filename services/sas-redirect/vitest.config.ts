import { packageTestConfig } from '../../vitest.shared.ts';

// Embedded PGlite takes tens of seconds to start on a busy 2-core CI machine.
export default packageTestConfig({ timeoutMs: 120_000 });
