import { type Logger, silentLogger } from '@hip/shared';
import { waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AmqpChannel, AmqpConnection, AmqpMessage } from '../src/adapters/amqp-client.ts';
import {
  type Delivery,
  HUB_EXCHANGE,
  HubConnection,
  type HubConnectionOptions,
  PublishRefusedError,
} from '../src/adapters/amqp-connection.ts';
import { describeOnEachHubTransport } from './hub-transports.ts';

const CLIENT = 'fr.health.samur';

/** Publishes on a confirm channel and waits for the broker's answer. */
const publishConfirmed = (
  channel: AmqpChannel,
  exchange: string,
  routingKey: string,
  body: string,
  options: { correlationId?: string; messageId?: string } = {},
) =>
  new Promise<void>((resolve, reject) =>
    channel.publish(
      exchange,
      routingKey,
      Buffer.from(body),
      { persistent: true, contentType: 'application/json', ...options },
      (error) => (error ? reject(error) : resolve()),
    ),
  );

/**
 * The contract of a Hub connection, whichever the transport: publish with confirm (a nack is a
 * refusal, a cut is not), manual acks and redelivery of what a handler failed, reconnection
 * that loses nothing, and no connection left behind by failed attempts.
 */
describeOnEachHubTransport('HubConnection contract', (transport) => {
  let vhost: { vhost: string; drop(): Promise<void> };
  let admin: AmqpConnection;
  let channel: AmqpChannel;
  /** What each client published on the Hub's exchange, by message id. */
  const published = new Map<string, AmqpMessage[]>();

  const connectionFor = (clientId: string, overrides: Partial<HubConnectionOptions> = {}) =>
    new HubConnection({
      url: transport().url,
      vhost: vhost.vhost,
      clientId,
      auth: 'plain',
      prefetch: 10,
      reconnectInitialMs: 50,
      reconnectMaxMs: 500,
      consume: ['message', 'ack', 'info'],
      logger: silentLogger,
      ...overrides,
    });

  /** The Hub side of a client: its three queues, and a queue seeing what it publishes. */
  async function declareClient(clientId: string) {
    for (const kind of ['message', 'ack', 'info'])
      await channel.assertQueue(`${clientId}.${kind}`, { durable: true });
    const seen = `published-by-${clientId}`;
    await channel.assertQueue(seen, { durable: true });
    await channel.bindQueue(seen, HUB_EXCHANGE, clientId);
    await channel.consume(
      seen,
      (msg) => {
        if (!msg) return;
        const id = String(msg.properties.messageId);
        published.set(id, [...(published.get(id) ?? []), msg]);
      },
      { noAck: true },
    );
  }

  beforeAll(async () => {
    vhost = await transport().createVhost();
    admin = await transport().connect(vhost.vhost);
    channel = await admin.createConfirmChannel();
    await channel.assertExchange(HUB_EXCHANGE, 'topic', { durable: true });
    await declareClient(CLIENT);
  }, 30_000);

  afterAll(async () => {
    await admin?.close().catch(() => {});
    await vhost?.drop();
  });

  it('publishes persistent, with its content type, message id and correlation id, settled by the confirm', async () => {
    const connection = connectionFor(CLIENT);
    connection.start(async () => {});
    try {
      await connection.publish({
        body: '{"n":1}',
        contentType: 'application/json',
        messageId: 'with-properties',
        correlationId: 'corr-out',
      });
      expect(connection.unconfirmed).toBe(0);
      const [msg] = await waitFor(() => published.get('with-properties'));
      expect(msg?.properties).toMatchObject({
        deliveryMode: 2,
        contentType: 'application/json',
        messageId: 'with-properties',
        correlationId: 'corr-out',
      });
      expect(msg?.fields.routingKey).toBe(CLIENT);
      expect(msg?.content.toString()).toBe('{"n":1}');
    } finally {
      await connection.close();
    }
  });

  it('hands each delivery to the handler with its properties, acks it once handled, and redelivers one the handler failed', async () => {
    const client = 'fr.health.samuack';
    await declareClient(client);
    const deliveries: Delivery[] = [];
    let failFirst = true;
    const connection = connectionFor(client, { consume: ['message'] });
    connection.start(async (delivery) => {
      deliveries.push(delivery);
      if (delivery.body === '"fails once"' && failFirst) {
        failFirst = false;
        throw new Error('handler failed');
      }
    });
    try {
      await waitFor(() => connection.connected);
      await publishConfirmed(channel, '', `${client}.message`, '"fine"', {
        correlationId: 'corr-in',
        messageId: 'in-1',
      });
      await publishConfirmed(channel, '', `${client}.message`, '"fails once"');
      const again = await waitFor(() => deliveries.find((d) => d.body === '"fails once"' && d.redelivered), {
        timeoutMs: 10_000,
      });
      expect(again).toMatchObject({ queue: 'message', contentType: 'application/json', deliveryMode: 2 });
      expect(deliveries.find((d) => d.body === '"fine"')).toMatchObject({
        correlationId: 'corr-in',
        messageId: 'in-1',
        redelivered: false,
      });
      expect(deliveries.filter((d) => d.body === '"fails once"')).toHaveLength(2);
      // Both acked: nothing is left for another consumer, even after this one closes.
      await connection.close();
      const left: AmqpMessage[] = [];
      const probe = await channel.consume(`${client}.message`, (m) => m && left.push(m), { noAck: true });
      await new Promise((r) => setTimeout(r, 300));
      await channel.cancel(probe.consumerTag);
      expect(left).toEqual([]);
    } finally {
      await connection.close();
    }
  });

  it('gives back to the queue what a closed connection had not acknowledged: another consumer gets it, redelivered', async () => {
    const client = 'fr.health.samuunacked';
    await declareClient(client);
    const first = connectionFor(client, { consume: ['message'] });
    let taken = 0;
    // Never resolves: the delivery stays unacknowledged until the connection goes.
    first.start(() => {
      taken++;
      return new Promise<void>(() => {});
    });
    await waitFor(() => first.connected);
    await publishConfirmed(channel, '', `${client}.message`, '"held"');
    await waitFor(() => taken === 1);
    await first.close();
    const second = connectionFor(client, { consume: ['message'] });
    const deliveries: Delivery[] = [];
    second.start(async (d) => {
      deliveries.push(d);
    });
    try {
      const delivery = await waitFor(() => deliveries[0], { timeoutMs: 10_000 });
      expect(delivery).toMatchObject({ body: '"held"', redelivered: true });
    } finally {
      await second.close();
    }
  });

  it('re-publishes every unconfirmed message on the new connection after a broker-side cut: none refused, none missing', async () => {
    const client = 'fr.health.samucut';
    await declareClient(client);
    const droppedWithPending: number[] = [];
    const connection = connectionFor(client, {
      logger: {
        ...silentLogger,
        info: () => {},
        warn: (fields: { pending?: number }, message: string) => {
          if (message === 'hub connection lost') droppedWithPending.push(fields.pending ?? 0);
        },
      } as unknown as Logger,
    });
    connection.start(async () => {});
    await waitFor(() => connection.connected);
    const outcomes: Promise<string>[] = [];
    const ids: string[] = [];
    const publishSome = (count: number) => {
      for (let i = 0; i < count; i++) {
        const id = `cut-${ids.length}`;
        ids.push(id);
        outcomes.push(
          connection.publish({ body: `{"id":"${id}"}`, contentType: 'application/json', messageId: id }).then(
            () => 'confirmed',
            (error: Error) => `refused: ${error.message}`,
          ),
        );
      }
    };
    // Publish without pause until the broker has cut the connection; cut again (a few times at
    // most) if a cut fell between two confirms with nothing pending.
    for (let attempt = 0; attempt < 5 && !droppedWithPending.some((n) => n > 0); attempt++) {
      await waitFor(() => connection.connected);
      let cut = false;
      const killing = transport()
        .closeConnectionsOf(vhost.vhost, client)
        .finally(() => {
          cut = true;
        });
      while (!cut) {
        publishSome(50);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await killing).toBeGreaterThan(0);
      await waitFor(() => droppedWithPending.length > attempt);
    }
    publishSome(500);
    const results = await Promise.all(outcomes);
    expect(results.filter((r) => r !== 'confirmed')).toEqual([]);
    expect(connection.reconnects).toBeGreaterThan(0);
    expect(droppedWithPending.some((n) => n > 0)).toBe(true);
    // Every message reached the exchange at least once (a re-published one may be there twice).
    await waitFor(() => ids.every((id) => published.has(id)), {
      timeoutMs: 30_000,
      intervalMs: 50,
      what: 'every message on the exchange',
    });
    await connection.close();
  }, 60_000);

  it('closes each connection it could not set up (a queue missing), so retries do not pile them up', async () => {
    const unknown = 'fr.health.samu404'; // none of its queues exist on this vHost
    let failures = 0;
    const connection = connectionFor(unknown, {
      reconnectInitialMs: 20,
      reconnectMaxMs: 50,
      logger: {
        ...silentLogger,
        warn: (_fields: unknown, message: string) => {
          if (message === 'hub connection failed') failures++;
        },
      } as unknown as Logger,
    });
    connection.start(async () => {});
    try {
      await waitFor(() => failures >= 5, { timeoutMs: 30_000, what: 'five failed connection attempts' });
      expect(connection.connected).toBe(false);
      expect(connection.lastError).toContain('NOT_FOUND');
      // The attempt under way at most; without the close, one per failed attempt.
      expect(await transport().connectionsOf(vhost.vhost, unknown)).toBeLessThanOrEqual(1);
    } finally {
      await connection.close();
    }
    await waitFor(async () => (await transport().connectionsOf(vhost.vhost, unknown)) === 0, {
      timeoutMs: 30_000,
      what: 'no connection left after close()',
    });
  });

  it('takes a negative confirm as a refusal, not as a reason to publish again', async () => {
    const refusing = 'fr.health.samun';
    // A full queue that rejects new publications: the broker answers basic.nack.
    await channel.assertQueue('full', {
      durable: true,
      arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
    });
    await channel.bindQueue('full', HUB_EXCHANGE, refusing);
    await declareClient(refusing);
    const connection = connectionFor(refusing, { consume: ['message'] });
    connection.start(async () => {});
    try {
      const outcome = connection.publish({
        body: '{}',
        contentType: 'application/json',
        messageId: 'nacked',
      });
      await expect(outcome).rejects.toThrow(PublishRefusedError);
      expect(connection.unconfirmed).toBe(0);
    } finally {
      await connection.close();
    }
  });

  it('keeps trying while no Hub answers at its URL, and says why', async () => {
    const connection = new HubConnection({
      url: transport().unreachableUrl,
      vhost: vhost.vhost,
      clientId: CLIENT,
      auth: 'plain',
      prefetch: 10,
      reconnectInitialMs: 20,
      reconnectMaxMs: 50,
      consume: ['message'],
      logger: silentLogger,
    });
    connection.start(async () => {});
    try {
      await waitFor(() => connection.lastError, { timeoutMs: 10_000 });
      expect(connection.connected).toBe(false);
      expect(connection.lastError).toMatch(/ECONNREFUSED/);
    } finally {
      await connection.close();
    }
  });
});
