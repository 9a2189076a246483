import {
  baseConfigSchema,
  createLogger,
  flag,
  type Logger,
  port,
  type RunningSimulators,
  z,
} from '@hip/shared';
import {
  connectBus,
  listen,
  loadConfigOrExit,
  openDatabase,
  type RunningServer,
  type StartedService,
  startService,
} from '@hip/shared/node';
import { createIndexApp } from './index-page.tsx';
import { portVariable, services } from './services.ts';

export interface Platform {
  index: RunningServer;
  started: StartedService[];
  stop(): Promise<void>;
}

const definedOnly = (env: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')) as Record<
    string,
    string
  >;

/**
 * Every service in ONE process, sharing one bus and one database: in-process bus and PGlite
 * under DATA_DIR by default, NATS and Postgres when their URLs are set. Simulators of the outside
 * systems start first (SIMULATORS=false turns them off) and point the services at themselves
 * unless the variables are set.
 */
export async function startPlatform(
  env: Record<string, string | undefined> = process.env,
  /** The root logger, without a `service` of its own. */
  logger?: Logger,
): Promise<Platform> {
  const config = loadConfigOrExit(
    baseConfigSchema.extend({ INDEX_PORT: port(8080), SIMULATORS: flag(true), SIMULATOR_PORTS: port(9100) }),
    env,
  );
  // Services and simulators add their own `service` to the root: a child of a logger that
  // already had one would print the key twice on every line.
  const root = logger ?? createLogger({ level: config.LOG_LEVEL });
  const log = root.child({ service: 'platform' });
  const bus = await connectBus({
    url: config.NATS_URL,
    name: 'platform',
    namespace: config.NATS_NAMESPACE,
    streamReplicas: config.NATS_STREAM_REPLICAS,
  });
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const started: StartedService[] = [];
  const simulators: RunningSimulators[] = [];
  // A simulator may need another's address (the SAS platform books through the Hub simulator):
  // each one sees the variables of those started before it.
  let simulatorEnv: Record<string, string> = {};
  for (const definition of services) {
    const { port: servicePort } = loadConfigOrExit(z.object({ port: port(definition.defaultPort) }), {
      port: env[portVariable(definition.name)],
    });
    const sims =
      config.SIMULATORS && definition.simulators
        ? await definition.simulators({
            logger: root.child({ service: `${definition.name}-sim` }),
            env: { ...simulatorEnv, ...definedOnly(env) },
            portBase: config.SIMULATOR_PORTS,
          })
        : undefined;
    if (sims) {
      simulators.push(sims);
      simulatorEnv = { ...simulatorEnv, ...sims.env };
    }
    const serviceEnv = { ...sims?.env, ...definedOnly(env) };
    started.push(
      await startService(definition, { bus, database, logger: root, env: serviceEnv, port: servicePort }),
    );
  }
  const index = await listen(
    createIndexApp({
      services: started.map((s) => ({ name: s.name, port: s.server.port })),
      simulators: simulators.flatMap((s) => s.links),
      credentials: simulators.flatMap((s) => s.credentials ?? []),
    }),
    config.INDEX_PORT,
  );
  log.info(
    { index: `http://localhost:${index.port}/`, bus: bus.kind, database: database.kind },
    'platform started: open the index page',
  );
  return {
    index,
    started,
    async stop() {
      await index.close();
      for (const s of started.reverse()) await s.stop();
      for (const s of simulators) await s.stop();
      await bus.close();
      await database.close();
    },
  };
}
