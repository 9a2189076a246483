import { runServiceAlone } from '@hip/shared/node';
import { arcadSync } from './service.ts';

await runServiceAlone(arcadSync);
