import { runServiceAlone } from '@hip/shared/node';
import { docConverter } from './service.ts';

await runServiceAlone(docConverter);
