import type { z } from 'zod';
import { createMemoryBus } from '../bus/memory.ts';
import { createNatsBus } from '../bus/nats.ts';
import type { Bus } from '../bus/types.ts';
import { type BaseConfig, baseConfigSchema, ConfigError, loadConfig, port } from '../config.ts';
import type { DatabaseHandle } from '../db/types.ts';
import { createLogger, type Logger } from '../log.ts';
import type { ServiceDefinition, ServiceInstance } from '../service.ts';
import { openDatabase } from './database.ts';
import { listen, onShutdownSignal, type RunningServer } from './serve.ts';

/** The bus of the environment: JetStream when `NATS_URL` is set, in-process otherwise. */
export async function connectBus(options: {
  url?: string | undefined;
  name: string;
  namespace?: string | undefined;
  streamReplicas?: number;
}): Promise<Bus> {
  if (!options.url) return createMemoryBus();
  return createNatsBus({
    url: options.url,
    name: options.name,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.streamReplicas ? { streamReplicas: options.streamReplicas } : {}),
  });
}

/** Stops the process with the variable's name when the environment is wrong. */
export function loadConfigOrExit<S extends z.ZodObject>(schema: S, env = process.env): z.infer<S> {
  try {
    return loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

export interface StartedService {
  name: string;
  instance: ServiceInstance;
  server: RunningServer;
  stop(): Promise<void>;
}

/**
 * Creates a service with shared infrastructure and serves it. Used by the service's own
 * `main.ts` and by the single-process platform start.
 */
export async function startService<S extends z.ZodObject>(
  definition: ServiceDefinition<S>,
  shared: {
    bus: Bus;
    database: DatabaseHandle;
    logger?: Logger;
    env?: Record<string, string | undefined>;
    port?: number;
  },
): Promise<StartedService> {
  const env = shared.env ?? process.env;
  const schema = baseConfigSchema
    .extend(definition.configSchema.shape)
    .extend({ PORT: port(definition.defaultPort) });
  const config = loadConfigOrExit(schema, env) as z.infer<S> & BaseConfig & { PORT: number };
  const logger = (shared.logger ?? createLogger({ level: config.LOG_LEVEL })).child({
    service: definition.name,
  });
  const instance = await definition.create({ config, logger, bus: shared.bus, database: shared.database });
  const server = await listen(instance.app, shared.port ?? config.PORT);
  logger.info({ port: server.port, bus: shared.bus.kind, database: shared.database.kind }, 'listening');
  return {
    name: definition.name,
    instance,
    server,
    async stop() {
      await server.close();
      await instance.stop();
    },
  };
}

/**
 * Entry point of a service run alone: config, bus, database, serve, stop on signals.
 *
 * @example
 * // services/doc-converter/src/main.ts
 * await runServiceAlone(docConverter);
 */
export async function runServiceAlone<S extends z.ZodObject>(
  definition: ServiceDefinition<S>,
): Promise<void> {
  const base = loadConfigOrExit(baseConfigSchema);
  const logger = createLogger({ level: base.LOG_LEVEL });
  const bus = await connectBus({
    url: base.NATS_URL,
    name: definition.name,
    namespace: base.NATS_NAMESPACE,
    streamReplicas: base.NATS_STREAM_REPLICAS,
  });
  const database = await openDatabase({
    url: base.DATABASE_URL,
    dataDir: `${base.DATA_DIR}/${definition.name}`,
  });
  const started = await startService(definition, { bus, database, logger });
  onShutdownSignal(logger, base.SHUTDOWN_GRACE_MS, async () => {
    await started.stop();
    await bus.close();
    await database.close();
  });
}
