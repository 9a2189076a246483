import type { Logger } from '@hip/shared';
import amqp from 'amqplib';
import { type AmqpChannel, type AmqpConnection, type AmqpMessage, connectHub } from './amqp-client.ts';

export { urlForVhost } from './amqp-client.ts';

export const HUB_EXCHANGE = 'hubsante';
export const QUEUE_KINDS = ['message', 'ack', 'info'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export interface TlsOptions {
  cert?: Buffer;
  key?: Buffer;
  ca?: Buffer[];
  passphrase?: string;
}

export interface HubConnectionOptions {
  /**
   * amqp:// or amqps:// URL of the Hub, without the vhost (it comes from `vhost`); or
   * memory://<name>, an in-process hub of this process (the demo without RabbitMQ).
   */
  url: string;
  vhost: string;
  clientId: string;
  /** `external`: SASL EXTERNAL with the client certificate (the Hub); `plain`: login in the URL. */
  auth: 'external' | 'plain';
  tls?: TlsOptions;
  prefetch: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  /** Which of our queues to consume; the simulator's peers may consume fewer. */
  consume: readonly QueueKind[];
  logger: Logger;
}

export interface Delivery {
  queue: QueueKind;
  body: string;
  contentType: string | undefined;
  deliveryMode: number | undefined;
  redelivered: boolean;
  /** AMQP `correlationId` / `messageId` properties, when the sender set them. */
  correlationId?: string | undefined;
  messageId?: string | undefined;
}

export interface OutgoingMessage {
  body: string;
  contentType: string;
  messageId: string;
  /** Carried in the AMQP `correlationId` property (the platform's correlation id). */
  correlationId?: string | undefined;
}

interface PendingPublish {
  message: OutgoingMessage;
  resolve(): void;
  reject(error: Error): void;
}

/** amqplib's error for a negative confirm (basic.nack); any other confirm error is a closed channel. */
const NACKED = 'message nacked';

/** A broker refused a publication (negative confirm): not retried, the message is in error. */
export class PublishRefusedError extends Error {
  override name = 'PublishRefusedError';
}

/**
 * One connection to one Hub vHost: confirm channel, manual acks, reconnect with backoff. The
 * same code whichever the transport (`connectHub`: RabbitMQ, or the in-process hub).
 *
 * A publication is settled only by the broker's confirm. Publications in flight when the
 * connection drops are queued again and re-published after reconnecting, so a broker-side
 * close loses nothing (at-least-once: receivers deduplicate by distributionID).
 */
export class HubConnection {
  private connection: AmqpConnection | undefined;
  private channel: AmqpChannel | undefined;
  private waiting: PendingPublish[] = [];
  private inFlight = new Set<PendingPublish>();
  private stopped = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private handler: ((delivery: Delivery) => Promise<void>) | undefined;
  lastError: string | undefined;
  connectedAt: Date | undefined;
  reconnects = 0;

  constructor(readonly options: HubConnectionOptions) {}

  get connected(): boolean {
    return this.channel !== undefined;
  }

  get unconfirmed(): number {
    return this.waiting.length + this.inFlight.size;
  }

  /** Starts connecting (and reconnecting); deliveries go to `handler`, acked when it resolves. */
  start(handler: (delivery: Delivery) => Promise<void>): void {
    this.handler = handler;
    void this.connect();
  }

  /** Resolves once the broker confirmed the message; waits across reconnections. */
  publish(message: OutgoingMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const pending = { message, resolve, reject };
      if (this.channel) this.send(this.channel, pending);
      else this.waiting.push(pending);
    });
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const error = new Error('hub connection closed before the broker confirmed');
    for (const p of [...this.waiting, ...this.inFlight]) p.reject(error);
    this.waiting = [];
    this.inFlight.clear();
    await this.connection?.close().catch(() => {});
    this.connection = undefined;
    this.channel = undefined;
  }

  private send(channel: AmqpChannel, pending: PendingPublish): void {
    this.inFlight.add(pending);
    const { message } = pending;
    try {
      channel.publish(
        HUB_EXCHANGE,
        this.options.clientId,
        Buffer.from(message.body, 'utf8'),
        {
          persistent: true,
          contentType: message.contentType,
          messageId: message.messageId,
          ...(message.correlationId ? { correlationId: message.correlationId } : {}),
        },
        (error) => {
          if (!this.inFlight.delete(pending)) return; // already re-queued after a drop
          if (!error) pending.resolve();
          else if (error.message === NACKED) {
            pending.reject(new PublishRefusedError('broker refused the publication (negative confirm)'));
          } else {
            // The channel closed before the broker confirmed (amqplib fails the callbacks
            // before the connection's close event): not a refusal, publish it again.
            this.requeue(channel, pending);
          }
        },
      );
    } catch {
      // The channel closed under us: the close handler re-queues what is in flight.
    }
  }

  /** A publication whose channel died: straight onto the new channel, or first in line for it. */
  private requeue(deadChannel: AmqpChannel, pending: PendingPublish): void {
    if (this.channel && this.channel !== deadChannel) this.send(this.channel, pending);
    else this.waiting.unshift(pending);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { options } = this;
    let connection: AmqpConnection | undefined;
    try {
      const socketOptions: Record<string, unknown> = {
        ...options.tls,
        clientProperties: { connection_name: options.clientId },
      };
      if (options.auth === 'external') socketOptions.credentials = amqp.credentials.external();
      const opened = await connectHub(options.url, options.vhost, socketOptions);
      connection = opened;
      opened.on('error', (error) => {
        if (error) this.lastError = error.message;
      });
      const channel = await opened.createConfirmChannel();
      await channel.prefetch(options.prefetch);
      opened.on('close', () => this.onDrop(opened));
      channel.on('error', (error) => {
        if (error) this.lastError = error.message;
      });
      channel.on('close', () => {
        if (this.connection === opened) void opened.close().catch(() => {});
      });
      for (const kind of options.consume) {
        await channel.consume(`${options.clientId}.${kind}`, (msg) => this.onMessage(channel, kind, msg), {
          noAck: false,
        });
      }
      if (this.stopped) {
        // close() ran while this connection was being set up: it could not close it.
        await opened.close().catch(() => {});
        return;
      }
      this.connection = opened;
      this.channel = channel;
      this.connectedAt = new Date();
      this.lastError = undefined;
      if (this.attempt > 0) this.reconnects++;
      this.attempt = 0;
      options.logger.info({ vhost: options.vhost, clientId: options.clientId }, 'hub connection up');
      const resend = this.waiting;
      this.waiting = [];
      for (const pending of resend) this.send(channel, pending);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      options.logger.warn({ vhost: options.vhost, err: this.lastError }, 'hub connection failed');
      // Opened but not usable (a queue missing, the channel refused): closed, or every
      // reconnect attempt would leave one more connection open at the broker.
      await connection?.close().catch(() => {});
      this.scheduleReconnect();
    }
  }

  private onDrop(connection: AmqpConnection): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.channel = undefined;
    // Unconfirmed publications go first in line for the next connection.
    this.waiting = [...this.inFlight, ...this.waiting];
    this.inFlight.clear();
    if (this.stopped) return;
    this.options.logger.warn(
      { vhost: this.options.vhost, pending: this.waiting.length },
      'hub connection lost',
    );
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const { reconnectInitialMs, reconnectMaxMs } = this.options;
    const delay =
      Math.min(reconnectMaxMs, reconnectInitialMs * 2 ** this.attempt) * (0.8 + Math.random() * 0.4);
    this.attempt++;
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private async onMessage(channel: AmqpChannel, queue: QueueKind, msg: AmqpMessage | null) {
    if (!msg) return; // consumer cancelled by the broker (queue deleted): the reconnect re-declares
    const delivery: Delivery = {
      queue,
      body: msg.content.toString('utf8'),
      contentType: msg.properties.contentType,
      deliveryMode: msg.properties.deliveryMode,
      redelivered: msg.fields.redelivered,
      correlationId: propertyText(msg.properties.correlationId),
      messageId: propertyText(msg.properties.messageId),
    };
    try {
      await this.handler?.(delivery);
      channel.ack(msg);
    } catch (error) {
      this.options.logger.error(
        { queue, err: error instanceof Error ? error.message : String(error) },
        'hub delivery not handled, requeued',
      );
      // A short pause so a failing dependency (database, bus) is not hammered in a loop.
      setTimeout(() => {
        try {
          channel.nack(msg, false, true);
        } catch {
          // channel gone: the broker redelivers unacked messages anyway
        }
      }, 1_000);
    }
  }
}

/** An AMQP short-string property, or undefined when absent or empty. */
function propertyText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
