import { randomUUID } from 'node:crypto';
import { describeWithServers, serverUrl } from '@hip/shared/testing';
import { afterAll, describe } from 'vitest';
import { type AmqpConnection, connectHub } from '../src/adapters/amqp-client.ts';
import { createMemoryHub, type MemoryHub } from '../src/adapters/memory-hub.ts';
import { closeConnectionsOf, connectionsOf, createTestVhost } from './rabbitmq.ts';

/**
 * One Hub transport as the contract suites see it: where the Hub is, and what a test does to
 * its broker from the outside (a vhost of its own, a raw connection, a broker-side cut).
 */
export interface HubTransport {
  /** "RabbitMQ" or "in-process hub". */
  name: string;
  /** What HUB_AMQP_URL is set to. */
  url: string;
  /** A URL of the same kind where no Hub answers. */
  unreachableUrl: string;
  /** A vhost of the test's own, so that suites never see each other's queues. */
  createVhost(): Promise<{ vhost: string; drop(): Promise<void> }>;
  /** A raw connection to a vhost, to publish or consume what a bridge never would. */
  connect(vhost: string): Promise<AmqpConnection>;
  /** Open connections of a client (by connection name) on a vhost. */
  connectionsOf(vhost: string, connectionName: string): Promise<number>;
  /** Closes them from the broker side (a network cut); how many there were. */
  closeConnectionsOf(vhost: string, connectionName: string): Promise<number>;
}

function rabbitmq(): HubTransport {
  const url = serverUrl('rabbitmq') as string;
  return {
    name: 'RabbitMQ',
    url,
    unreachableUrl: 'amqp://guest:guest@127.0.0.1:1',
    createVhost: createTestVhost,
    connect: (vhost) => connectHub(url, vhost),
    connectionsOf: async (vhost, name) => (await connectionsOf(vhost, name)).length,
    closeConnectionsOf,
  };
}

function inProcess(hub: MemoryHub): HubTransport {
  return {
    name: 'in-process hub',
    url: hub.url,
    unreachableUrl: `memory://nobody-${randomUUID().slice(0, 8)}`,
    async createVhost() {
      const vhost = `hub-bridge-test-${randomUUID().slice(0, 8)}`;
      return { vhost, drop: async () => hub.deleteVhost(vhost) };
    },
    connect: (vhost) => connectHub(hub.url, vhost),
    connectionsOf: async (vhost, name) => hub.connectionsOf(vhost, name),
    async closeConnectionsOf(vhost, name) {
      // As rabbitmqctl does, a moment after being asked: publications under way are caught in flight.
      await new Promise((resolve) => setImmediate(resolve));
      return hub.closeConnectionsOf(vhost, name);
    },
  };
}

/**
 * Runs a contract suite once per transport: on RabbitMQ (needs AMQP_URL, reported as not run
 * without it, and failing under CI), and on the in-process hub (always).
 */
export function describeOnEachHubTransport(
  name: string,
  suite: (transport: () => HubTransport) => void,
): void {
  describeWithServers(['rabbitmq'], `${name} (RabbitMQ)`, () => {
    let transport: HubTransport | undefined;
    suite(() => {
      transport ??= rabbitmq();
      return transport;
    });
  });
  describe(`${name} (in-process hub)`, () => {
    let hub: MemoryHub | undefined;
    afterAll(() => hub?.close());
    suite(() => {
      hub ??= createMemoryHub();
      return inProcess(hub);
    });
  });
}
