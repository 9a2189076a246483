import { createLogger } from '@hip/shared';
import { onShutdownSignal } from '@hip/shared/node';
import { startPlatform } from './platform.ts';

const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info' });
const platform = await startPlatform(process.env, logger);
onShutdownSignal(logger.child({ service: 'platform' }), 15_000, () => platform.stop());
