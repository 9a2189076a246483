export * from './dead-letters.ts';
export { createMemoryBus, type MemoryBusOptions } from './memory.ts';
export * from './types.ts';
