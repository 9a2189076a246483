import { runServiceAlone } from '@hip/shared/node';
import { vetGateway } from './service.ts';

await runServiceAlone(vetGateway);
