import {
  DEAD_LETTER_HEADERS,
  defineService,
  type RunningSimulators,
  subscribeDeadLetters,
} from '@hip/shared';
import { HUB_SUBJECTS, type HubOutboundRejected, HubOutboundSchema } from '@hip/shared/schemas';
import { createHubConnections } from './adapters/hub-connections.ts';
import { officialValidator } from './adapters/schemas.ts';
import { createApp } from './app.ts';
import { HubBridge, OutboundRefusedError } from './bridge/bridge.ts';
import { assertConsistentConfig, configSchema } from './config.ts';
import { migrations } from './db/migrations.ts';
import { TraceStore } from './db/trace-store.ts';
import type { HubErrorCode } from './domain/hub-errors.ts';
import type { FieldError } from './domain/validation.ts';

const DEFAULT_PORT = 8082;
const IDLE_REASON =
  'no Hub connection configured (HUB_AMQP_URL not set): nothing is sent to or received from the Hub';

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
        'hub-bridge is idle: HUB_AMQP_URL is not set, nothing is sent to or received from the Hub (for the demo with the Hub simulator, run `pnpm start` at the repository root)',
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
      hub: config.HUB_AMQP_URL?.replace(/\/\/[^@/]*@/, '//'),
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
        ...(bridge.idle ? {} : { hub: hubCheck }),
      },
      idleReason: () => (bridge.idle ? IDLE_REASON : undefined),
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
  /**
   * The demo of `pnpm start`: the Hub simulator (on RabbitMQ when AMQP_URL answers, else in
   * process), a second SAMU, the SAS platform's Hub client and the LRM simulator page.
   */
  async simulators(context): Promise<RunningSimulators> {
    const { startDemo } = await import('../sim/demo.ts');
    return startDemo({ create: (c) => hubBridge.create(c) }, context);
  },
});
