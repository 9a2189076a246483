import type { z } from 'zod';
import type { Bus } from '../bus/types.ts';
import { baseConfigSchema, loadConfig } from '../config.ts';
import type { DatabaseHandle } from '../db/types.ts';
import { type Logger, silentLogger } from '../log.ts';
import type { ServiceDefinition, ServiceInstance } from '../service.ts';
import { testBus } from './bus.ts';
import { freshDatabase } from './database.ts';

export interface ServiceUnderTest extends ServiceInstance {
  bus: Bus;
  database: DatabaseHandle;
  /** Calls the app in-process, like Hono's `app.request`. */
  request(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * A service created as `main.ts` would, on a fresh database and a test bus (real servers when
 * their URLs are set, embedded otherwise). `stop()` also drops the database.
 *
 * @example
 * const svc = await startServiceForTest(docConverter, { env: { EXPORT_ROOT: dir } });
 * const res = await svc.request('/documents', { method: 'POST', body });
 */
export async function startServiceForTest<S extends z.ZodObject>(
  definition: ServiceDefinition<S>,
  options: {
    env?: Record<string, string | undefined>;
    bus?: Bus;
    database?: DatabaseHandle & { drop?(): Promise<void> };
    /** Silent unless given, e.g. a `recordingLogger()` to check what the service logs. */
    logger?: Logger;
  } = {},
): Promise<ServiceUnderTest> {
  const bus = options.bus ?? (await testBus());
  const database = options.database ?? (await freshDatabase());
  const config = loadConfig(baseConfigSchema.extend(definition.configSchema.shape), {
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const instance = await definition.create({
    config: config as never,
    logger: options.logger ?? silentLogger,
    bus,
    database,
  });
  return {
    ...instance,
    bus,
    database,
    request: async (path, init) =>
      instance.app.fetch(new Request(new URL(path, 'http://service.test'), init)),
    async stop() {
      await instance.stop();
      if (!options.bus) await bus.close();
      if (!options.database) await (database as { drop?(): Promise<void> }).drop?.();
    },
  };
}
