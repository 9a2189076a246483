import { runServiceAlone } from '@hip/shared/node';
import { hubBridge } from './service.ts';

await runServiceAlone(hubBridge);
