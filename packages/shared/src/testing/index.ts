export { type BenchFigure, percentiles, printComparison } from './bench.ts';
export { CHROMIUM_PATH, launchBrowser } from './browser.ts';
export * from './bus.ts';
export * from './database.ts';
export { NATS_SERVER_PATH, natsServerSandbox } from './nats-servers.ts';
export { freePort } from './ports.ts';
export * from './servers.ts';
export { type ServiceUnderTest, startServiceForTest } from './service.ts';
export * from './wait.ts';
