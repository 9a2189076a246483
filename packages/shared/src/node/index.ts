export { createNatsBus, type NatsBusOptions, natsServerOptions } from '../bus/nats.ts';
export { type OpenDatabaseOptions, openDatabase } from './database.ts';
export {
  connectBus,
  loadConfigOrExit,
  runServiceAlone,
  type StartedService,
  startService,
} from './runtime.ts';
export { listen, onShutdownSignal, type RunningServer } from './serve.ts';
