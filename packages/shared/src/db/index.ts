export * from './lease.ts';
export * from './outbox.ts';
export { withoutNulCharacters } from './storable.ts';
export type { Database, DatabaseHandle } from './types.ts';
