import { packageTestConfig } from '../../vitest.shared.ts';

// PGlite takes many seconds to start on a loaded 2-core CI machine.
export default packageTestConfig({ timeoutMs: 90_000 });
