import { runServiceAlone } from '@hip/shared/node';
import { sasRedirect } from './service.ts';

await runServiceAlone(sasRedirect);
