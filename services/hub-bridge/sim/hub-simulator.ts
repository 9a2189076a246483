import { randomUUID } from 'node:crypto';
import type { Logger } from '@hip/shared';
import { connectHub } from '../src/adapters/amqp-client.ts';
import { CONTENT_TYPES, encodeBody, formatOfContentType } from '../src/domain/codec.ts';
import { buildMessage, rsErrorContent, summarize } from '../src/domain/envelope.ts';
import { HUB_ERROR_CODES, type HubErrorCode } from '../src/domain/hub-errors.ts';
import { typeByName } from '../src/domain/message-types.ts';
import type { HubValidator } from '../src/domain/validation.ts';
import { dispatchVerdict } from './dispatcher-rules.ts';

export const DISPATCH_QUEUE = 'hub.dispatch';
export const DEAD_LETTER_EXCHANGE = 'hubsante.dlx';
export const DEAD_LETTER_QUEUE = 'hub.dead-letters';

export interface HubSimulatorOptions {
  /**
   * Plain AMQP URL of the local RabbitMQ (the vhost comes from `vhost`), or `memory://<name>`
   * for an in-process hub (`createMemoryHub`): the same dispatcher runs on both.
   */
  url: string;
  vhost: string;
  /** Client ids whose queues exist (`<id>.message`, `.ack`, `.info`). */
  clients: string[];
  /** Queue message TTL; an expired message is dead-lettered and its sender gets a 500. */
  messageTtlMs: number;
  /** Per-client TTL overrides, e.g. a client nobody consumes, to see dead-lettering quickly. */
  ttlOverridesMs?: Record<string, number>;
  /** Sender id of the Hub's own RS-ERROR reports. */
  hubId?: string;
  validator: HubValidator;
  logger: Logger;
  now?: () => Date;
}

/** One publication the dispatcher handled, for the demo pages. */
export interface Dispatched {
  at: Date;
  /** The publisher (routing key). */
  from: string;
  /** The recipient named in the envelope, when it could be read. */
  to: string | undefined;
  distributionId: string | undefined;
  /** `routed` to the recipient's queue, or the RS-ERROR code sent back to the publisher. */
  outcome: 'routed' | number;
  /** The queue it was routed to, or the cause of the error. */
  detail: string;
}

export interface HubSimulator {
  /** Counts by outcome: routed, or the error code reported. */
  stats: Record<string, number>;
  /** The latest publications handled, newest first (at most 50). */
  recent: Dispatched[];
  stop(): Promise<void>;
}

const RECENT = 50;

/**
 * Plays the Hub Santé dispatcher on a local RabbitMQ: the same topology (topic exchange
 * `hubsante` where clients publish with their id as routing key, direct exchange
 * `distribution` to the clients' queues, TTL and dead-lettering), the same checks in the same
 * order, and RS-ERROR reports on the sender's `.info` queue.
 */
export async function startHubSimulator(options: HubSimulatorOptions): Promise<HubSimulator> {
  const hubId = options.hubId ?? 'fr.health.hub';
  const now = options.now ?? (() => new Date());
  const known = new Set(options.clients);
  const stats: Record<string, number> = {};
  const recent: Dispatched[] = [];
  const remember = (entry: Dispatched) => {
    recent.unshift(entry);
    recent.length = Math.min(recent.length, RECENT);
  };
  const connection = await connectHub(options.url, options.vhost, {
    clientProperties: { connection_name: 'hub-simulator' },
  });
  const channel = await connection.createConfirmChannel();
  await channel.prefetch(200);
  await channel.assertExchange('hubsante', 'topic', { durable: true });
  await channel.assertExchange('distribution', 'direct', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'fanout', { durable: true });
  await channel.assertQueue(DISPATCH_QUEUE, { durable: true });
  await channel.bindQueue(DISPATCH_QUEUE, 'hubsante', '#');
  await channel.assertQueue(DEAD_LETTER_QUEUE, { durable: true });
  await channel.bindQueue(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, '');
  for (const client of options.clients) {
    for (const kind of ['message', 'ack', 'info']) {
      const queue = `${client}.${kind}`;
      await channel.assertQueue(queue, {
        durable: true,
        arguments: {
          'x-message-ttl': options.ttlOverridesMs?.[client] ?? options.messageTtlMs,
          'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
        },
      });
      await channel.bindQueue(queue, 'distribution', queue);
    }
  }

  const publish = (exchange: string, routingKey: string, body: string, contentType: string | undefined) =>
    new Promise<void>((resolve, reject) => {
      channel.publish(
        exchange,
        routingKey,
        Buffer.from(body),
        { persistent: true, ...(contentType ? { contentType } : {}) },
        (error) => (error ? reject(error) : resolve()),
      );
    });

  async function report(
    to: string,
    code: HubErrorCode,
    cause: string,
    referenced: string,
    source: unknown,
    contentType?: string,
  ) {
    stats[String(code)] = (stats[String(code)] ?? 0) + 1;
    if (!known.has(to)) {
      options.logger.warn({ to, code }, 'error report for an unknown client dropped');
      return;
    }
    const format = formatOfContentType(contentType) ?? 'json';
    const edxl = buildMessage({
      senderId: hubId,
      recipientId: to,
      type: typeByName('RS-ERROR') as NonNullable<ReturnType<typeof typeByName>>,
      kind: 'Error',
      content: rsErrorContent({
        code,
        statusString: HUB_ERROR_CODES[code],
        cause,
        referencedDistributionId: referenced,
        ...(source && typeof source === 'object' && format === 'json'
          ? { sourceMessage: source as Record<string, unknown> }
          : {}),
      }),
      now: now(),
      uniqueId: randomUUID(),
      ttlMs: 24 * 3600_000,
    });
    await publish('distribution', `${to}.info`, encodeBody(edxl, format), CONTENT_TYPES[format]);
  }

  await channel.consume(DISPATCH_QUEUE, async (msg) => {
    if (!msg) return;
    try {
      const body = msg.content.toString('utf8');
      const verdict = dispatchVerdict(
        {
          routingKey: msg.fields.routingKey,
          deliveryMode: msg.properties.deliveryMode,
          contentType: msg.properties.contentType,
          body,
        },
        { validator: options.validator, knownClients: known, now: now() },
      );
      if (verdict.ok) {
        await publish('distribution', verdict.recipientQueue, body, msg.properties.contentType);
        stats.routed = (stats.routed ?? 0) + 1;
        remember({
          at: now(),
          from: msg.fields.routingKey,
          to: verdict.summary.recipientId,
          distributionId: verdict.summary.distributionId,
          outcome: 'routed',
          detail: verdict.recipientQueue,
        });
      } else {
        remember({
          at: now(),
          from: msg.fields.routingKey,
          to: verdict.summary?.recipientId,
          distributionId: verdict.summary?.distributionId,
          outcome: verdict.code,
          detail: verdict.cause,
        });
        // The publisher is the client behind the routing key: it gets the report, whatever the body claims.
        await report(
          msg.fields.routingKey,
          verdict.code,
          verdict.cause,
          verdict.summary?.distributionId ?? '',
          verdict.parsed,
          msg.properties.contentType,
        );
      }
      channel.ack(msg);
    } catch (error) {
      options.logger.error({ err: String(error) }, 'simulator dispatch failed, requeued');
      channel.nack(msg, false, true);
    }
  });

  await channel.consume(DEAD_LETTER_QUEUE, async (msg) => {
    if (!msg) return;
    try {
      const body = msg.content.toString('utf8');
      let summary: ReturnType<typeof summarize> | undefined;
      try {
        const format = formatOfContentType(msg.properties.contentType);
        summary = summarize(format === 'json' ? JSON.parse(body) : {});
        if (format === 'xml') {
          const { xmlEnvelopeToObject } = await import('../src/domain/xml.ts');
          summary = summarize(xmlEnvelopeToObject(body, options.validator));
        }
      } catch {
        summary = undefined;
      }
      if (summary?.senderId) {
        await report(
          summary.senderId,
          500,
          `not consumed by ${summary.recipientId} before the queue TTL: dead-lettered`,
          summary.distributionId,
          undefined,
          msg.properties.contentType,
        );
      }
      channel.ack(msg);
    } catch (error) {
      options.logger.error({ err: String(error) }, 'simulator dead-letter handling failed');
      channel.nack(msg, false, true);
    }
  });

  return {
    stats,
    recent,
    async stop() {
      await connection.close().catch(() => {});
    },
  };
}
