import type { ServiceDefinition } from '@hip/shared';
import { arcadSync } from 'arcad-sync';
import { docConverter } from 'doc-converter';
import { hubBridge } from 'hub-bridge';
import { sasRedirect } from 'sas-redirect';
import { vetGateway } from 'vet-gateway';

/** Every service of the platform, in port order (8081...). */
export const services: ServiceDefinition[] = [arcadSync, hubBridge, sasRedirect, vetGateway, docConverter];

/** `ARCAD_SYNC_PORT`, `HUB_BRIDGE_PORT`...: the variable overriding a service's port in the single process. */
export const portVariable = (name: string) => `${name.toUpperCase().replaceAll('-', '_')}_PORT`;
