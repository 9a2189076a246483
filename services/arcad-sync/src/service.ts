import { createOutboxRelay, defineService, urlWith, z } from '@hip/shared';
import { createArcadApi } from './adapters/arcad.ts';
import { createArcadLogin } from './adapters/arcadLogin.ts';
import { createApp } from './app.ts';
import { migrations } from './db/migrations.ts';
import { outbox } from './db/schema.ts';
import { createFlowEngine } from './flows/engine.ts';
import { createLive } from './live/index.ts';

const secret = (what: string) => z.string().min(16, `${what}: at least 16 characters`);

export const configSchema = z.object({
  /** Base URL of the ARCAD360 REST API (the contract in the README). */
  ARCAD_URL: urlWith('http', 'https'),
  ARCAD_API_TOKEN: secret('the ARCAD360 API token'),
  ARCAD_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** ARCAD360's OpenID provider for "log in with ARCAD". */
  ARCAD_OIDC_ISSUER: urlWith('http', 'https'),
  ARCAD_OIDC_CLIENT_ID: z.string().min(1),
  ARCAD_OIDC_CLIENT_SECRET: z.string().min(1),
  /** Where browsers reach this service; the OpenID redirect URI is `<PUBLIC_URL>/auth/callback`. */
  PUBLIC_URL: urlWith('http', 'https').default('http://localhost:8081'),
  /** Signs the console session cookies. */
  SESSION_SECRET: secret('the session secret'),
  /** LIVIA's token on the batch endpoints. */
  LIVIA_API_TOKEN: secret('the LIVIA API token'),
  /** Requests in flight towards ARCAD360 per running flow. */
  FLOW_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  /** Shared with ARCAD360 when subscribing our webhook; unset = webhooks refused (503). */
  ARCAD_WEBHOOK_SECRET: secret('the ARCAD360 webhook secret').optional(),
  /** First automatic retry of a failed ARCAD message (then doubling, 5 attempts); 0 = admin only. */
  LIVE_RETRY_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Applied and ignored ARCAD messages stay this long in the log; failed and refused ones stay. */
  LIVE_LOG_RETENTION_HOURS: z.coerce.number().positive().default(720),
});

/** LIVIA <-> ARCAD360 synchronisation. */
export const arcadSync = defineService({
  name: 'arcad-sync',
  defaultPort: 8081,
  configSchema,
  async create({ config, logger, bus, database }) {
    await database.migrate(migrations);
    const arcad = createArcadApi({
      baseUrl: config.ARCAD_URL.replace(/\/$/, ''),
      apiToken: config.ARCAD_API_TOKEN,
      timeoutMs: config.ARCAD_TIMEOUT_MS,
    });
    const publicUrl = config.PUBLIC_URL.replace(/\/$/, '');
    const login = createArcadLogin({
      issuer: config.ARCAD_OIDC_ISSUER,
      clientId: config.ARCAD_OIDC_CLIENT_ID,
      clientSecret: config.ARCAD_OIDC_CLIENT_SECRET,
      redirectUri: `${publicUrl}/auth/callback`,
    });
    const relay = createOutboxRelay({
      db: database.db,
      bus,
      table: outbox,
      logger,
      retentionMs: config.OUTBOX_RETENTION_HOURS * 3_600_000,
    });
    relay.start();
    const engine = createFlowEngine({
      db: database.db,
      arcad,
      logger,
      concurrency: config.FLOW_CONCURRENCY,
      onEventQueued: () => relay.kick(),
    });
    const live = await createLive({
      database,
      bus,
      arcad,
      logger,
      arcadUrl: config.ARCAD_URL.replace(/\/$/, ''),
      arcadToken: config.ARCAD_API_TOKEN,
      arcadTimeoutMs: config.ARCAD_TIMEOUT_MS,
      webhookSecret: config.ARCAD_WEBHOOK_SECRET,
      retryBaseMs: config.LIVE_RETRY_MS,
      logRetentionMs: config.LIVE_LOG_RETENTION_HOURS * 3_600_000,
      kick: () => relay.kick(),
    });
    const app = createApp({
      live,
      logger,
      bus,
      db: database.db,
      arcad,
      login,
      engine,
      sessionSecret: config.SESSION_SECRET,
      liviaToken: config.LIVIA_API_TOKEN,
      publicUrl,
      readiness: { database: () => database.ping(), bus: () => bus.ping(), arcad360: () => arcad.ping() },
    });
    return {
      app,
      async stop() {
        await live.stop();
        await engine.stop();
        await relay.stop();
      },
    };
  },
  async simulators({ env, portBase, logger }) {
    const { startDemoSimulators } = await import('../sim/demo.ts');
    return startDemoSimulators(env, portBase + 10, logger);
  },
});
