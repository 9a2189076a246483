import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type {
  AmqpChannel,
  AmqpConnection,
  AmqpMessage,
  AmqpProperties,
  AmqpPublishOptions,
  ExchangeType,
} from './amqp-client.ts';

/**
 * An in-process stand-in for the Hub's RabbitMQ, for the demo platform when no broker is there
 * (`HUB_AMQP_URL=memory://<name>`). It keeps what the Hub relies on, with RabbitMQ's rules:
 * topic, direct and fanout exchanges; queues with a message TTL (expiry at the head, expired
 * messages dead-lettered) and an optional `x-max-length` with `reject-publish`; confirm channels
 * (ack once routed, nack when a queue refuses, "channel closed" for what was not confirmed when
 * a channel dies); per-consumer prefetch, manual ack, nack with requeue (`redelivered` set) and
 * unacked deliveries requeued when their channel closes; `NOT_FOUND` channel errors for a
 * missing queue or exchange; broker-side connection closes. Messages live in this process only:
 * nothing survives a restart of it (the bridges' traces do, in their databases).
 *
 * It is held to the same contract suite as RabbitMQ (`test/hub-transport-contract.ts`).
 */
export class MemoryHub {
  readonly url: string;
  private readonly vhosts = new Map<string, Vhost>();
  private closed = false;

  constructor(readonly name: string) {
    this.url = `memory://${name}`;
  }

  /** A new connection to a vhost (created on first use, like a broker that lets anyone in). */
  connect(vhost: string, connectionName: string): MemoryConnection {
    if (this.closed) throw new Error(`ECONNREFUSED: the in-process hub "${this.name}" is stopped`);
    let v = this.vhosts.get(vhost);
    if (!v) {
      v = new Vhost(vhost);
      this.vhosts.set(vhost, v);
    }
    const connection = new MemoryConnection(v, connectionName);
    v.connections.add(connection);
    return connection;
  }

  /** Open connections of a client (by connection name) on a vhost, as `rabbitmqctl list_connections`. */
  connectionsOf(vhost: string, connectionName: string): number {
    return [...(this.vhosts.get(vhost)?.connections ?? [])].filter((c) => c.name === connectionName).length;
  }

  /** Closes from the broker side, as `rabbitmqctl close_connection`: the client sees an error, then the close. */
  closeConnectionsOf(vhost: string, connectionName: string): number {
    const matching = [...(this.vhosts.get(vhost)?.connections ?? [])].filter(
      (c) => c.name === connectionName,
    );
    for (const c of matching)
      c.shut(new Error('Connection closed: 320 (CONNECTION-FORCED) closed by the broker'));
    return matching.length;
  }

  /** Queue depths of a vhost: messages waiting, delivered but not acknowledged, consumers. */
  queues(vhost: string): { name: string; ready: number; unacked: number; consumers: number }[] {
    const v = this.vhosts.get(vhost);
    if (!v) return [];
    return [...v.queues.values()].map((q) => ({
      name: q.name,
      ready: q.ready.length,
      unacked: q.unacked,
      consumers: q.consumers.length,
    }));
  }

  /** Deletes a vhost: its connections are closed, its exchanges, queues and messages dropped. */
  deleteVhost(vhost: string): void {
    const v = this.vhosts.get(vhost);
    if (!v) return;
    for (const c of [...v.connections])
      c.shut(new Error('Connection closed: 320 (CONNECTION-FORCED) vhost deleted'));
    for (const q of v.queues.values()) q.dispose();
    this.vhosts.delete(vhost);
  }

  /** Stops the hub: every connection closed, every message dropped, the name free again. */
  async close(): Promise<void> {
    this.closed = true;
    for (const name of [...this.vhosts.keys()]) this.deleteVhost(name);
    if (registry.get(this.name) === this) registry.delete(this.name);
  }
}

const registry = new Map<string, MemoryHub>();

export const isMemoryHubUrl = (url: string): boolean => url.startsWith('memory:');

/** The hub name of a `memory://<name>` URL. */
export function memoryHubName(url: string): string {
  const parsed = new URL(url);
  return parsed.hostname || parsed.pathname.replace(/^\/+/, '');
}

/**
 * Starts an in-process hub, reachable from this process as `memory://<name>` (a random name
 * unless given). `close()` it when done.
 */
export function createMemoryHub(name = `hub-${randomUUID().slice(0, 8)}`): MemoryHub {
  if (!/^[a-z0-9-]+$/i.test(name))
    throw new Error(`in-process hub name "${name}": letters, digits and - only`);
  if (registry.has(name)) throw new Error(`an in-process hub named "${name}" is already running`);
  const hub = new MemoryHub(name);
  registry.set(name, hub);
  return hub;
}

/** The running in-process hub of a `memory://<name>` URL, if any. */
export function findMemoryHub(url: string): MemoryHub | undefined {
  return registry.get(memoryHubName(url));
}

/** Opens a connection as `amqp.connect` would: refused when no hub of that name runs here. */
export async function connectMemoryHub(url: string, vhost: string, connectionName: string) {
  await Promise.resolve(); // asynchronous, as a socket is
  const hub = findMemoryHub(url);
  if (!hub) {
    throw new Error(
      `ECONNREFUSED: no in-process hub named "${memoryHubName(url)}" in this process (a memory:// URL names a hub started by the demo's simulators)`,
    );
  }
  return hub.connect(vhost, connectionName);
}

interface Stored {
  content: Buffer;
  properties: AmqpProperties;
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  /** When the message expires in its queue (queue TTL), in ms since the epoch. */
  expiresAt: number | undefined;
}

interface Exchange {
  type: ExchangeType;
  bindings: { queue: string; pattern: string }[];
}

/** AMQP topic matching: words separated by dots, `*` one word, `#` zero or more. */
export function topicMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') {
      for (let next = j; next <= k.length; next++) if (match(i + 1, next)) return true;
      return false;
    }
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

class Vhost {
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  readonly connections = new Set<MemoryConnection>();

  constructor(readonly name: string) {}

  /** Routes a publication; `no-exchange` is a channel error, `nack` a queue that refused it. */
  publish(
    exchange: string,
    routingKey: string,
    message: { content: Buffer; properties: AmqpProperties },
  ): 'ack' | 'nack' | 'no-exchange' {
    let targets: Queue[];
    if (exchange === '') {
      const queue = this.queues.get(routingKey);
      targets = queue ? [queue] : [];
    } else {
      const ex = this.exchanges.get(exchange);
      if (!ex) return 'no-exchange';
      const names = new Set(
        ex.bindings
          .filter((b) =>
            ex.type === 'fanout'
              ? true
              : ex.type === 'direct'
                ? b.pattern === routingKey
                : topicMatches(b.pattern, routingKey),
          )
          .map((b) => b.queue),
      );
      targets = [...names].map((n) => this.queues.get(n)).filter((q): q is Queue => q !== undefined);
    }
    // Unroutable: dropped and confirmed, as RabbitMQ does without the mandatory flag.
    let refused = false;
    for (const queue of targets) {
      if (!queue.accepts()) refused = true;
      else queue.enqueue({ ...message, exchange, routingKey, redelivered: false });
    }
    return refused ? 'nack' : 'ack';
  }
}

class Queue {
  ready: Stored[] = [];
  readonly consumers: Consumer[] = [];
  unacked = 0;
  private nextConsumer = 0;
  private drainScheduled = false;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly vhost: Vhost,
    readonly name: string,
    readonly options: {
      ttlMs?: number | undefined;
      deadLetterExchange?: string | undefined;
      maxLength?: number | undefined;
      rejectPublish: boolean;
    },
  ) {}

  accepts(): boolean {
    const { maxLength, rejectPublish } = this.options;
    return !(rejectPublish && maxLength !== undefined && this.ready.length >= maxLength);
  }

  enqueue(message: Omit<Stored, 'expiresAt'>): void {
    const { ttlMs, maxLength } = this.options;
    this.ready.push({ ...message, expiresAt: ttlMs === undefined ? undefined : Date.now() + ttlMs });
    // Default overflow (drop-head): the oldest goes, dead-lettered.
    if (maxLength !== undefined && this.ready.length > maxLength) {
      const dropped = this.ready.shift();
      if (dropped) this.deadLetter(dropped);
    }
    this.scheduleExpiry();
    this.scheduleDrain();
  }

  /** Back to the head of the queue (a nack with requeue, or its channel closed), marked redelivered. */
  requeue(message: Stored): void {
    this.ready.unshift({ ...message, redelivered: true });
    this.scheduleExpiry();
    this.scheduleDrain();
  }

  deadLetter(message: Stored): void {
    const exchange = this.options.deadLetterExchange;
    if (exchange === undefined) return;
    this.vhost.publish(exchange, message.routingKey, {
      content: message.content,
      properties: message.properties,
    });
  }

  scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    while (this.ready.length > 0) {
      this.expireHead();
      const consumer = this.pickConsumer();
      const message = consumer && this.ready.shift();
      if (!consumer || !message) return;
      consumer.deliver(message);
    }
  }

  /** Round robin over the consumers that have room under their prefetch. */
  private pickConsumer(): Consumer | undefined {
    for (let i = 0; i < this.consumers.length; i++) {
      const consumer = this.consumers[(this.nextConsumer + i) % this.consumers.length];
      if (consumer?.hasRoom()) {
        this.nextConsumer = (this.nextConsumer + i + 1) % this.consumers.length;
        return consumer;
      }
    }
    return undefined;
  }

  /** Queue TTL expires messages at the head only (as RabbitMQ does); they are dead-lettered. */
  private expireHead(): void {
    const now = Date.now();
    while (this.ready[0]?.expiresAt !== undefined && this.ready[0].expiresAt <= now) {
      this.deadLetter(this.ready.shift() as Stored);
    }
  }

  private scheduleExpiry(): void {
    const head = this.ready[0]?.expiresAt;
    if (this.expiryTimer || head === undefined) return;
    this.expiryTimer = setTimeout(
      () => {
        this.expiryTimer = undefined;
        this.expireHead();
        this.scheduleExpiry();
      },
      Math.max(0, head - Date.now()),
    );
    this.expiryTimer.unref?.();
  }

  dispose(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.ready = [];
  }
}

class Consumer {
  unacked = 0;

  constructor(
    readonly tag: string,
    readonly channel: MemoryChannel,
    readonly queue: Queue,
    private readonly onMessage: (message: AmqpMessage | null) => void,
    readonly noAck: boolean,
  ) {}

  hasRoom(): boolean {
    return this.noAck || this.channel.prefetchCount === 0 || this.unacked < this.channel.prefetchCount;
  }

  deliver(stored: Stored): void {
    const deliveryTag = ++this.channel.deliveryTags;
    const message: AmqpMessage = {
      content: stored.content,
      fields: { routingKey: stored.routingKey, redelivered: stored.redelivered, deliveryTag },
      properties: { ...stored.properties },
    };
    if (!this.noAck) {
      this.unacked++;
      this.queue.unacked++;
      this.channel.unacked.set(deliveryTag, { stored, consumer: this });
    }
    try {
      this.onMessage(message);
    } catch {
      // A consumer's own failure: the message stays unacked, requeued if its channel closes.
    }
  }
}

const propertiesOf = (options: AmqpPublishOptions): AmqpProperties => ({
  ...(options.persistent !== undefined ? { deliveryMode: options.persistent ? 2 : 1 } : {}),
  ...(options.contentType !== undefined ? { contentType: options.contentType } : {}),
  ...(options.messageId !== undefined ? { messageId: options.messageId } : {}),
  ...(options.correlationId !== undefined ? { correlationId: options.correlationId } : {}),
});

const optionalNumber = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : undefined;

class MemoryChannel extends EventEmitter implements AmqpChannel {
  open = true;
  prefetchCount = 0;
  deliveryTags = 0;
  readonly unacked = new Map<number, { stored: Stored; consumer: Consumer }>();
  private readonly consumers = new Map<string, Consumer>();
  private readonly unconfirmed = new Set<(error: Error | null) => void>();

  constructor(private readonly connection: MemoryConnection) {
    super();
  }

  private get vhost(): Vhost {
    return this.connection.vhost;
  }

  private ensureOpen(): void {
    if (!this.open) throw new Error('Channel closed');
  }

  /** A channel error, as the broker raises it: the operation fails and the channel closes. */
  private channelError(code: number, text: string): Error {
    const error = new Error(`Operation failed; ${code} (${text.split(' - ')[0]}) with message "${text}"`);
    setImmediate(() => this.shut(error));
    return error;
  }

  async prefetch(count: number): Promise<void> {
    this.ensureOpen();
    this.prefetchCount = count;
  }

  async assertExchange(exchange: string, type: ExchangeType): Promise<{ exchange: string }> {
    this.ensureOpen();
    if (!this.vhost.exchanges.has(exchange)) this.vhost.exchanges.set(exchange, { type, bindings: [] });
    return { exchange };
  }

  async assertQueue(
    queue: string,
    options: { arguments?: Record<string, unknown> } = {},
  ): Promise<{ queue: string; messageCount: number; consumerCount: number }> {
    this.ensureOpen();
    let q = this.vhost.queues.get(queue);
    if (!q) {
      const args = options.arguments ?? {};
      q = new Queue(this.vhost, queue, {
        ttlMs: optionalNumber(args['x-message-ttl']),
        deadLetterExchange:
          typeof args['x-dead-letter-exchange'] === 'string' ? args['x-dead-letter-exchange'] : undefined,
        maxLength: optionalNumber(args['x-max-length']),
        rejectPublish: args['x-overflow'] === 'reject-publish',
      });
      this.vhost.queues.set(queue, q);
    }
    return { queue, messageCount: q.ready.length, consumerCount: q.consumers.length };
  }

  async bindQueue(queue: string, exchange: string, pattern: string): Promise<void> {
    this.ensureOpen();
    if (!this.vhost.queues.has(queue))
      throw this.channelError(404, `NOT_FOUND - no queue '${queue}' in vhost '${this.vhost.name}'`);
    const ex = this.vhost.exchanges.get(exchange);
    if (!ex)
      throw this.channelError(404, `NOT_FOUND - no exchange '${exchange}' in vhost '${this.vhost.name}'`);
    if (!ex.bindings.some((b) => b.queue === queue && b.pattern === pattern))
      ex.bindings.push({ queue, pattern });
  }

  async consume(
    queue: string,
    onMessage: (message: AmqpMessage | null) => void,
    options: { noAck?: boolean } = {},
  ): Promise<{ consumerTag: string }> {
    this.ensureOpen();
    const q = this.vhost.queues.get(queue);
    if (!q) throw this.channelError(404, `NOT_FOUND - no queue '${queue}' in vhost '${this.vhost.name}'`);
    const consumer = new Consumer(`amq.ctag-${randomUUID()}`, this, q, onMessage, options.noAck === true);
    this.consumers.set(consumer.tag, consumer);
    q.consumers.push(consumer);
    q.scheduleDrain();
    return { consumerTag: consumer.tag };
  }

  async cancel(consumerTag: string): Promise<void> {
    this.ensureOpen();
    const consumer = this.consumers.get(consumerTag);
    if (consumer) this.detach(consumer);
  }

  private detach(consumer: Consumer): void {
    this.consumers.delete(consumer.tag);
    const list = consumer.queue.consumers;
    const at = list.indexOf(consumer);
    if (at >= 0) list.splice(at, 1);
  }

  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: AmqpPublishOptions,
    callback: (error: Error | null) => void,
  ): boolean {
    this.ensureOpen();
    const outcome = this.vhost.publish(exchange, routingKey, {
      content: Buffer.from(content),
      properties: propertiesOf(options),
    });
    this.unconfirmed.add(callback);
    if (outcome === 'no-exchange') {
      // The channel dies of it; the publication is failed with the close, never confirmed.
      this.channelError(404, `NOT_FOUND - no exchange '${exchange}' in vhost '${this.vhost.name}'`);
      return true;
    }
    // Confirms come back asynchronously, as from a broker: a channel closing first fails them.
    setImmediate(() => {
      if (this.unconfirmed.delete(callback))
        callback(outcome === 'nack' ? new Error('message nacked') : null);
    });
    return true;
  }

  private settle(message: AmqpMessage): { stored: Stored; consumer: Consumer } | undefined {
    this.ensureOpen();
    const entry = this.unacked.get(message.fields.deliveryTag);
    if (!entry) {
      this.channelError(406, `PRECONDITION_FAILED - unknown delivery tag ${message.fields.deliveryTag}`);
      return undefined;
    }
    this.unacked.delete(message.fields.deliveryTag);
    entry.consumer.unacked--;
    entry.consumer.queue.unacked--;
    entry.consumer.queue.scheduleDrain();
    return entry;
  }

  ack(message: AmqpMessage): void {
    this.settle(message);
  }

  nack(message: AmqpMessage, _allUpTo = false, requeue = true): void {
    const entry = this.settle(message);
    if (!entry) return;
    if (requeue) entry.consumer.queue.requeue(entry.stored);
    else entry.consumer.queue.deadLetter(entry.stored);
  }

  async close(): Promise<void> {
    this.shut(undefined);
  }

  /**
   * Closes the channel: unconfirmed publications failed ("channel closed", before the close
   * event, as amqplib does), consumers cancelled, unacknowledged deliveries back in their queues.
   */
  shut(error: Error | undefined): void {
    if (!this.open) return;
    this.open = false;
    const unconfirmed = [...this.unconfirmed];
    this.unconfirmed.clear();
    for (const callback of unconfirmed) callback(new Error('channel closed'));
    for (const consumer of [...this.consumers.values()]) this.detach(consumer);
    for (const { stored, consumer } of [...this.unacked.values()].reverse()) {
      consumer.queue.unacked--;
      consumer.queue.requeue(stored);
    }
    this.unacked.clear();
    this.connection.channels.delete(this);
    if (error && this.listenerCount('error') > 0) this.emit('error', error);
    this.emit('close');
  }
}

class MemoryConnection extends EventEmitter implements AmqpConnection {
  open = true;
  readonly channels = new Set<MemoryChannel>();

  constructor(
    readonly vhost: Vhost,
    readonly name: string,
  ) {
    super();
  }

  async createConfirmChannel(): Promise<MemoryChannel> {
    if (!this.open) throw new Error('Connection closed');
    const channel = new MemoryChannel(this);
    this.channels.add(channel);
    return channel;
  }

  async close(): Promise<void> {
    this.shut(undefined);
  }

  /** Closes every channel first (their unconfirmed publications fail), then says so: error, close. */
  shut(error: Error | undefined): void {
    if (!this.open) return;
    this.open = false;
    for (const channel of [...this.channels]) channel.shut(undefined);
    this.vhost.connections.delete(this);
    if (error && this.listenerCount('error') > 0) this.emit('error', error);
    this.emit('close', error);
  }
}
