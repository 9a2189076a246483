// Messages that cross service boundaries on the bus, one file per domain.

export * from './arcad.ts';
export * from './documents.ts';
export * from './hub.ts';
export * from './sas.ts';
export * from './vet.ts';
