import amqp from 'amqplib';
import { connectMemoryHub, isMemoryHubUrl } from './memory-hub.ts';

/**
 * The part of AMQP 0-9-1 that the Hub and its clients use, as amqplib spells it: confirm
 * channels, topic/direct/fanout exchanges, queues with a TTL and a dead-letter exchange, manual
 * acks and requeues. Two implementations: amqplib on a real broker (`amqp://`, `amqps://`), and
 * the in-process hub (`memory://<name>`, `memory-hub.ts`). `HubConnection` and the Hub
 * simulator are written against this interface only, so they run unchanged on both.
 */
export interface AmqpProperties {
  contentType?: string | undefined;
  /** 2 = persistent, 1 = transient; undefined when the publisher did not say (transient). */
  deliveryMode?: number | undefined;
  messageId?: string | undefined;
  correlationId?: string | undefined;
}

export interface AmqpPublishOptions {
  persistent?: boolean;
  contentType?: string;
  messageId?: string;
  correlationId?: string;
}

export interface AmqpMessage {
  content: Buffer;
  fields: { routingKey: string; redelivered: boolean; deliveryTag: number };
  properties: AmqpProperties;
}

export type ExchangeType = 'topic' | 'direct' | 'fanout';

/** A confirm channel: every publication is settled by the broker's ack or nack (`callback`). */
export interface AmqpChannel {
  prefetch(count: number): Promise<unknown>;
  assertExchange(exchange: string, type: ExchangeType, options?: { durable?: boolean }): Promise<unknown>;
  assertQueue(
    queue: string,
    options?: { durable?: boolean; arguments?: Record<string, unknown> },
  ): Promise<unknown>;
  bindQueue(queue: string, exchange: string, pattern: string): Promise<unknown>;
  /** `onMessage(null)`: the broker cancelled the consumer (its queue was deleted). */
  consume(
    queue: string,
    onMessage: (message: AmqpMessage | null) => void,
    options?: { noAck?: boolean },
  ): Promise<{ consumerTag: string }>;
  cancel(consumerTag: string): Promise<unknown>;
  /** `callback(null)` on the broker's ack; an error for a nack ("message nacked") or a closed channel. */
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: AmqpPublishOptions,
    callback: (error: Error | null) => void,
  ): boolean;
  ack(message: AmqpMessage): void;
  nack(message: AmqpMessage, allUpTo?: boolean, requeue?: boolean): void;
  on(event: 'close' | 'error', listener: (error?: Error) => void): unknown;
  close(): Promise<void>;
}

export interface AmqpConnection {
  createConfirmChannel(): Promise<AmqpChannel>;
  on(event: 'close' | 'error', listener: (error?: Error) => void): unknown;
  close(): Promise<void>;
}

/** The vhost in an AMQP URL path: `/` must be escaped, it is a valid vhost name. */
export function urlForVhost(base: string, vhost: string): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}

/**
 * Opens a connection to one vhost of a Hub: amqplib for `amqp://` and `amqps://` (TLS, SASL and
 * `clientProperties` in `socketOptions`), the in-process hub registered under `<name>` for
 * `memory://<name>` (only `clientProperties.connection_name` is read there).
 */
export async function connectHub(
  url: string,
  vhost: string,
  socketOptions: Record<string, unknown> = {},
): Promise<AmqpConnection> {
  if (isMemoryHubUrl(url)) {
    const properties = socketOptions.clientProperties as { connection_name?: string } | undefined;
    return connectMemoryHub(url, vhost, properties?.connection_name ?? '');
  }
  // amqplib's channel model has this interface's shape; its typings are wider (any-typed replies).
  return (await amqp.connect(urlForVhost(url, vhost), socketOptions)) as unknown as AmqpConnection;
}

/** Whether a Hub answers at `url` (on the default vhost `/`) within `timeoutMs`. */
export async function hubReachable(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const connection = await connectHub(url, '/', { timeout: timeoutMs });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}
