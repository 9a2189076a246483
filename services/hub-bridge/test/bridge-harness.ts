import { randomUUID } from 'node:crypto';
import { type Bus, createMemoryBus, type Logger, silentLogger } from '@hip/shared';
import { freshDatabase } from '@hip/shared/testing';
import type { HubConnection, OutgoingMessage } from '../src/adapters/amqp-connection.ts';
import { officialValidator } from '../src/adapters/schemas.ts';
import { HubBridge } from '../src/bridge/bridge.ts';
import { migrations } from '../src/db/migrations.ts';
import { TraceStore } from '../src/db/trace-store.ts';
import { buildMessage, type DistributionKind, summarize } from '../src/domain/envelope.ts';
import { typeByName } from '../src/domain/message-types.ts';

/** A bridge tested without a broker: deliveries are handed to it, its AMQP side only records. */
export const VHOST = '15-15_v1.5';
export const US = 'fr.health.samu920';
export const PEER = 'fr.health.samu770';

/** A message of `type` from a peer (PEER unless said) to us, as the Hub delivers it. */
export const peerMessage = (
  type: string,
  content: unknown,
  options: { from?: string; kind?: DistributionKind } = {},
) =>
  buildMessage({
    senderId: options.from ?? PEER,
    recipientId: US,
    type: typeByName(type) as NonNullable<ReturnType<typeof typeByName>>,
    content,
    ...(options.kind ? { kind: options.kind } : {}),
    now: new Date(),
    uniqueId: randomUUID(),
    ttlMs: 60_000,
  });

export const deliveryOf = (
  queue: 'message' | 'ack' | 'info',
  body: string,
  properties: { correlationId?: string } = {},
) => ({ queue, body, contentType: 'application/json', deliveryMode: 2, redelivered: false, ...properties });

/** A sent message of ours in the trace, for acknowledgements and reports to reference. */
export async function sentRow(store: TraceStore, state = 'confirmed'): Promise<string> {
  const distributionId = `${US}_${randomUUID()}`;
  await store.insert(
    {
      distributionId,
      direction: 'sent',
      type: 'RS-SR',
      kind: 'Report',
      peer: PEER,
      vhost: VHOST,
      format: 'json',
      state,
      body: '{}',
    },
    { state },
    new Date(),
  );
  return distributionId;
}

/** A logger keeping every line it is given, to check what reaches the logs. */
export function recordingLogger(lines: string[]): Logger {
  const record = (...args: unknown[]) => {
    lines.push(JSON.stringify(args));
  };
  const logger = { ...silentLogger, error: record, warn: record, info: record, debug: record };
  return Object.assign(logger, { child: () => logger }) as unknown as Logger;
}

/** A bridge on a fresh database; `published` holds what it sent to the Hub (RC-REFs, RS-ERRORs...). */
export async function startTestBridge(
  options: {
    bus?: Bus;
    logger?: Logger;
    /** Runs while the bridge waits for its publish to be confirmed, as the Hub may answer by then. */
    onPublish?: (message: OutgoingMessage) => Promise<void>;
  } = {},
) {
  const database = await freshDatabase();
  await database.migrate(migrations);
  const store = new TraceStore(database.db);
  const published: OutgoingMessage[] = [];
  const connection = {
    publish: async (message: OutgoingMessage) => {
      published.push(message);
      await options.onPublish?.(message);
    },
  } as unknown as HubConnection;
  const bridge = new HubBridge({
    store,
    bus: options.bus ?? createMemoryBus(),
    validator: officialValidator(),
    connections: new Map([[VHOST, connection]]),
    logger: options.logger ?? silentLogger,
    options: { clientId: US, format: 'json', ttlMs: 60_000 },
  });
  return {
    bridge,
    store,
    database,
    published,
    /** The last message sent to the Hub, read back. */
    lastSent: () => summarize(JSON.parse(published.at(-1)?.body ?? '{}')),
  };
}

export type TestBridge = Awaited<ReturnType<typeof startTestBridge>>;
