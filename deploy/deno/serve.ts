// `deno serve` entry: one service with the embedded defaults (in-process bus, in-memory PGlite);
// its outside systems come from the environment, as in production (no simulators here).
// SERVICE names the service, e.g. SERVICE=doc-converter deno serve -A deploy/deno/serve.ts
import { type BaseConfig, baseConfigSchema, createLogger, createMemoryBus, loadConfig } from '@hip/shared';
import { openDatabase } from '@hip/shared/node';
import { services } from '../src/services.ts';

const name = process.env.SERVICE;
const definition = services.find((s) => s.name === name);
if (!definition) throw new Error(`SERVICE must be one of ${services.map((s) => s.name).join(', ')}`);
const config = loadConfig(baseConfigSchema.extend(definition.configSchema.shape)) as BaseConfig;
const instance = await definition.create({
  config,
  logger: createLogger({ service: definition.name, level: 'warn' }),
  bus: createMemoryBus(),
  database: await openDatabase({ dataDir: 'memory' }),
});

export default { fetch: instance.app.fetch };
