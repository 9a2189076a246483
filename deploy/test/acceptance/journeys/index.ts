import type { Journey } from '../journey.ts';
import { journey as arcadSync } from './arcad-sync.ts';
import { journey as docConverter } from './doc-converter.ts';
import { journey as hubBridge } from './hub-bridge.ts';
import { journey as sasRedirect } from './sas-redirect.ts';
import { journey as vetGateway } from './vet-gateway.ts';

/** Every demo journey, in the order a newcomer would walk them. */
export const journeys: Journey[] = [arcadSync, hubBridge, sasRedirect, vetGateway, docConverter];
