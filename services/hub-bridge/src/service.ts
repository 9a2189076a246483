import {
  baseConfigSchema,
  createMemoryBus,
  DEAD_LETTER_HEADERS,
  defineService,
  type Logger,
  subscribeDeadLetters,
} from '@hip/shared';
import { HUB_SUBJECTS, type HubOutboundRejected, HubOutboundSchema } from '@hip/shared/schemas';
import amqp from 'amqplib';
import { urlForVhost } from './adapters/amqp-connection.ts';
import { createHubConnections } from './adapters/hub-connections.ts';
import { officialValidator } from './adapters/schemas.ts';
import { createApp } from './app.ts';
import { HubBridge, OutboundRefusedError } from './bridge/bridge.ts';
import { assertConsistentConfig, configSchema } from './config.ts';
import { migrations } from './db/migrations.ts';
import { TraceStore } from './db/trace-store.ts';
import type { HubErrorCode } from './domain/hub-errors.ts';
import type { FieldError } from './domain/validation.ts';

/** Port of the demo platform's peer SAMU bridge, from the simulators' base (our block is +20..+29). */
const PEER_PORT_OFFSET = 21;
const DEFAULT_PORT = 8082;
const DEMO_CLIENT = 'fr.health.samu770';
const PEER_CLIENT = 'fr.health.samu920';
const IDLE_DETAIL = 'hub (idle: HUB_AMQP_URL not set, nothing is sent or received)';

/** LRM <-> Hub Santé (RabbitMQ, EDXL-DE). */
export const hubBridge = defineService({
  name: 'hub-bridge',
  defaultPort: DEFAULT_PORT,
  configSchema,
  async create({ config, logger, bus, database }) {
    assertConsistentConfig(config);
    // The certificate check first: a bridge the Hub would refuse says so before touching anything.
    const connections = createHubConnections(config, logger);
    await database.migrate(migrations);
    const store = new TraceStore(database.db);
    const bridge = new HubBridge({
      store,
      bus,
      validator: officialValidator(),
      connections,
      logger,
      options: {
        clientId: config.HUB_CLIENT_ID,
        format: config.HUB_FORMAT,
        ttlMs: config.HUB_MESSAGE_TTL_SECONDS * 1000,
        ...(config.HUB_SENDER_NAME ? { senderName: config.HUB_SENDER_NAME } : {}),
      },
    });
    if (bridge.idle)
      logger.warn(
        'hub-bridge is idle: HUB_AMQP_URL is not set, nothing is sent to or received from the Hub (for the demo with the Hub simulator, run `pnpm start` at the repository root with AMQP_URL)',
      );
    await bridge.start();
    const outbound = await bus.subscribe({
      subject: HUB_SUBJECTS.outbound,
      durable: 'hub-bridge-outbound',
      concurrency: 8,
      maxDeliver: config.HUB_OUTBOUND_MAX_DELIVER,
      backoffMs: config.HUB_OUTBOUND_BACKOFF_MS,
      handler: async (message) => {
        // Answered on hub.outbound.rejected, never retried: a bad request stays bad.
        const refuse = (request: unknown, code: HubErrorCode, cause: string, errors: FieldError[]) => {
          const fields = (request ?? {}) as { recipient?: unknown; type?: unknown; reference?: unknown };
          const reference = typeof fields.reference === 'string' ? fields.reference : message.msgId;
          const event: HubOutboundRejected = {
            recipient: typeof fields.recipient === 'string' ? fields.recipient : '',
            type: typeof fields.type === 'string' ? fields.type : '',
            code,
            cause,
            errors,
            ...(reference ? { reference } : {}),
          };
          return bus.publish(HUB_SUBJECTS.outboundRejected, event);
        };
        let request: unknown;
        try {
          request = message.json();
        } catch {
          await refuse(undefined, 102, 'hub.outbound request is not JSON', [
            { path: '', message: 'is not JSON' },
          ]);
          return;
        }
        const parsed = HubOutboundSchema.safeParse(request);
        if (!parsed.success) {
          await refuse(
            request,
            300,
            'hub.outbound request does not match its schema',
            parsed.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message })),
          );
          return;
        }
        try {
          await bridge.send({ ...parsed.data, reference: parsed.data.reference ?? message.msgId });
        } catch (error) {
          // Refusals are already published on hub.outbound.rejected; retrying would not change them.
          if (!(error instanceof OutboundRefusedError)) throw error;
        }
      },
    });
    const deadLetters = await subscribeDeadLetters(bus, {
      of: 'hub-bridge-outbound',
      durable: 'hub-bridge-outbound-dlq',
      handler: async (message) => {
        await bridge.recordFailedRequest(
          message.text(),
          message.headers[DEAD_LETTER_HEADERS.error] ?? 'unknown error',
          message.headers[DEAD_LETTER_HEADERS.msgId] ?? message.msgId,
        );
      },
    });
    const status = () => ({
      clientId: config.HUB_CLIENT_ID,
      idle: bridge.idle,
      vhosts: [...connections.entries()].map(([vhost, c]) => ({
        vhost,
        connected: c.connected,
        unconfirmed: c.unconfirmed,
        lastError: c.lastError,
      })),
    });
    const hubCheck = async () => {
      const down = [...connections.entries()].filter(([, c]) => !c.connected);
      if (down.length)
        throw new Error(
          `not connected to vhost(s) ${down.map(([v, c]) => `${v} (${c.lastError ?? 'connecting'})`).join(', ')}`,
        );
    };
    const app = createApp({
      logger,
      bus,
      db: database.db,
      bridge,
      store,
      status,
      readiness: {
        database: () => database.ping(),
        bus: () => bus.ping(),
        [bridge.idle ? IDLE_DETAIL : 'hub']: hubCheck,
      },
    });
    return {
      app,
      async stop() {
        await outbound.stop();
        await deadLetters.stop();
        for (const c of connections.values()) await c.close();
        await bridge.settled();
      },
    };
  },
  async simulators({ logger, env, portBase }) {
    const amqpUrl = env.AMQP_URL;
    if (!amqpUrl || !(await reachable(amqpUrl))) {
      logger.warn(
        { AMQP_URL: amqpUrl ?? '' },
        'hub-bridge simulators not started: RabbitMQ (AMQP_URL) is not reachable; hub-bridge stays idle',
      );
      return {
        env: {},
        links: [{ label: 'hub-bridge: idle (no RabbitMQ at AMQP_URL)', url: ownAdminUrl(env) }],
        async stop() {},
      };
    }
    return startDemoHub(amqpUrl, logger, {
      vhost: env.HUB_DEMO_VHOST || '/',
      peerPort: env.HUB_DEMO_PEER_PORT ? Number(env.HUB_DEMO_PEER_PORT) : portBase + PEER_PORT_OFFSET,
      adminUrl: ownAdminUrl(env),
    });
  },
});

/** Where the platform serves this bridge's admin page (HUB_BRIDGE_PORT overrides the port). */
const ownAdminUrl = (env: Record<string, string | undefined>): string =>
  `http://localhost:${env.HUB_BRIDGE_PORT || DEFAULT_PORT}/`;

async function reachable(url: string): Promise<boolean> {
  try {
    const connection = await amqp.connect(urlForVhost(url, '/'), { timeout: 2_000 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

/** The demo: the Hub simulator and a second SAMU's bridge, both on the local RabbitMQ. */
async function startDemoHub(
  amqpUrl: string,
  logger: Logger,
  { vhost, peerPort, adminUrl }: { vhost: string; peerPort: number; adminUrl: string },
) {
  const { startHubSimulator } = await import('../sim/hub-simulator.ts');
  const { openDatabase, listen } = await import('@hip/shared/node');
  const simulator = await startHubSimulator({
    url: amqpUrl,
    vhost,
    clients: [DEMO_CLIENT, PEER_CLIENT],
    messageTtlMs: 10 * 60_000,
    validator: officialValidator(),
    logger,
  });
  const peerBus = createMemoryBus();
  const peerDatabase = await openDatabase({ dataDir: 'memory' });
  const peer = await hubBridge.create({
    config: baseConfigSchema.extend(configSchema.shape).parse({
      HUB_AMQP_URL: amqpUrl,
      HUB_AUTH: 'plain',
      HUB_CLIENT_ID: PEER_CLIENT,
      HUB_VHOSTS: vhost,
      SHUTDOWN_GRACE_MS: 1_000,
    }),
    logger: logger.child({ peer: PEER_CLIENT }),
    bus: peerBus,
    database: peerDatabase,
  });
  const server = await listen(peer.app, peerPort);
  return {
    env: { HUB_AMQP_URL: amqpUrl, HUB_AUTH: 'plain', HUB_CLIENT_ID: DEMO_CLIENT, HUB_VHOSTS: vhost },
    links: [
      {
        label: `Hub simulator (dispatcher) on ${amqpUrl.replace(/\/\/[^@]*@/, '//')} vhost ${vhost}`,
        url: adminUrl,
      },
      { label: `Peer SAMU bridge ${PEER_CLIENT} (admin)`, url: `http://localhost:${server.port}/` },
    ],
    async stop() {
      await server.close();
      await peer.stop();
      await peerBus.close();
      await peerDatabase.close();
      await simulator.stop();
    },
  };
}
