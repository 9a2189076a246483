import { type Logger, silentLogger } from '@hip/shared';
import { describeWithServers, serverUrl, waitFor } from '@hip/shared/testing';
import amqp from 'amqplib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type Delivery,
  HUB_EXCHANGE,
  HubConnection,
  PublishRefusedError,
  urlForVhost,
} from '../src/adapters/amqp-connection.ts';
import { closeConnectionsOf, connectionsOf, createTestVhost } from './rabbitmq.ts';

const CLIENT = 'fr.health.samur';

describeWithServers(
  ['rabbitmq'],
  'HubConnection when the broker closes it with publications in flight',
  () => {
    const url = serverUrl('rabbitmq') as string;
    let vhost: Awaited<ReturnType<typeof createTestVhost>>;
    let admin: amqp.ChannelModel;
    let channel: amqp.Channel;

    beforeAll(async () => {
      vhost = await createTestVhost();
      admin = await amqp.connect(urlForVhost(url, vhost.vhost));
      channel = await admin.createChannel();
      // What the Hub's topic exchange would receive from us, and our own queues to consume.
      await channel.assertExchange(HUB_EXCHANGE, 'topic', { durable: true });
      await channel.assertQueue('published', { durable: true });
      await channel.bindQueue('published', HUB_EXCHANGE, CLIENT);
      for (const kind of ['message', 'ack', 'info'])
        await channel.assertQueue(`${CLIENT}.${kind}`, { durable: true });
    }, 30_000);

    afterAll(async () => {
      await admin?.close().catch(() => {});
      await vhost?.drop();
    });

    it('re-publishes every unconfirmed message on the new connection: none refused, none missing', async () => {
      const droppedWithPending: number[] = [];
      const connection = new HubConnection({
        url,
        vhost: vhost.vhost,
        clientId: CLIENT,
        auth: 'plain',
        prefetch: 10,
        reconnectInitialMs: 50,
        reconnectMaxMs: 500,
        consume: ['message', 'ack', 'info'],
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
      // Publish without pause until the broker has cut the connection, and a little after.
      const outcomes: Promise<string>[] = [];
      const publishSome = (count: number) => {
        for (let i = 0; i < count; i++) {
          const n = outcomes.length;
          outcomes.push(
            connection
              .publish({ body: `{"n":${n}}`, contentType: 'application/json', messageId: `m${n}` })
              .then(
                () => 'confirmed',
                (error: Error) => `refused: ${error.message}`,
              ),
          );
        }
      };
      // Cut again (a few times at most) if a cut fell between two confirms with nothing pending.
      for (let attempt = 0; attempt < 5 && !droppedWithPending.some((n) => n > 0); attempt++) {
        await waitFor(() => connection.connected);
        let cut = false;
        const killing = closeConnectionsOf(vhost.vhost, CLIENT).finally(() => {
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
      const total = outcomes.length;
      expect(results.filter((r) => r !== 'confirmed')).toEqual([]);
      expect(connection.reconnects).toBeGreaterThan(0);
      // The cut happened with publications the broker had not confirmed yet.
      expect(droppedWithPending.some((n) => n > 0)).toBe(true);
      // Every message is in the queue at least once (a re-published one may be there twice).
      const seen = new Set<string>();
      const consumer = await channel.consume(
        'published',
        (msg) => msg && seen.add(String(msg.properties.messageId)),
        {
          noAck: true,
        },
      );
      await waitFor(() => seen.size >= total, {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: 'every message in the queue',
      });
      await channel.cancel(consumer.consumerTag);
      expect(seen.size).toBe(total);
      await connection.close();
    }, 60_000);

    it('sends and receives the correlation id in the AMQP properties', async () => {
      const client = 'fr.health.samuc';
      await channel.assertQueue(`${client}.message`, { durable: true });
      await channel.assertQueue('published-c', { durable: true });
      await channel.bindQueue('published-c', HUB_EXCHANGE, client);
      const deliveries: Delivery[] = [];
      const connection = new HubConnection({
        url,
        vhost: vhost.vhost,
        clientId: client,
        auth: 'plain',
        prefetch: 10,
        reconnectInitialMs: 50,
        reconnectMaxMs: 500,
        consume: ['message'],
        logger: silentLogger,
      });
      connection.start(async (delivery) => {
        deliveries.push(delivery);
      });
      try {
        await connection.publish({
          body: '{}',
          contentType: 'application/json',
          messageId: 'with-correlation',
          correlationId: 'corr-out',
        });
        const out = await waitFor(
          async () => (await channel.get('published-c', { noAck: true })) || undefined,
        );
        expect(out.properties).toMatchObject({ messageId: 'with-correlation', correlationId: 'corr-out' });
        channel.sendToQueue(`${client}.message`, Buffer.from('{}'), {
          persistent: true,
          contentType: 'application/json',
          correlationId: 'corr-in',
          messageId: 'in-1',
        });
        const delivery = await waitFor(() => deliveries[0]);
        expect(delivery).toMatchObject({ correlationId: 'corr-in', messageId: 'in-1' });
      } finally {
        await connection.close();
      }
    });

    it('closes each connection it could not set up (a queue missing), so retries do not pile them up', async () => {
      const unknown = 'fr.health.samu404'; // none of its queues exist on this vHost
      let failures = 0;
      const connection = new HubConnection({
        url,
        vhost: vhost.vhost,
        clientId: unknown,
        auth: 'plain',
        prefetch: 10,
        reconnectInitialMs: 20,
        reconnectMaxMs: 50,
        consume: ['message', 'ack', 'info'],
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
        expect(connection.lastError).toContain('NOT_FOUND');
        // The attempt under way at most; without the close, one per failed attempt.
        expect((await connectionsOf(vhost.vhost, unknown)).length).toBeLessThanOrEqual(1);
      } finally {
        await connection.close();
      }
      await waitFor(async () => (await connectionsOf(vhost.vhost, unknown)).length === 0, {
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
      for (const kind of ['message', 'ack', 'info'])
        await channel.assertQueue(`${refusing}.${kind}`, { durable: true });
      const connection = new HubConnection({
        url,
        vhost: vhost.vhost,
        clientId: refusing,
        auth: 'plain',
        prefetch: 10,
        reconnectInitialMs: 50,
        reconnectMaxMs: 500,
        consume: ['message'],
        logger: silentLogger,
      });
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
  },
);
