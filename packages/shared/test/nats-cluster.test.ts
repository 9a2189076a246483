import { connect } from 'nats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Bus } from '../src/index.ts';
import { createNatsBus } from '../src/node/index.ts';
import { natsServerSandbox } from '../src/testing/nats-servers.ts';
import { freePort } from '../src/testing/ports.ts';
import { describeWithTools } from '../src/testing/servers.ts';
import { waitFor } from '../src/testing/wait.ts';

// Production runs a 3-node JetStream cluster (deploy/k8s/infra/nats): streams and buckets must
// be replicated on it, or losing the node that holds a stream loses its messages.
describeWithTools(['nats-server'], 'bus on a 3-node JetStream cluster', () => {
  const sandbox = natsServerSandbox('nats-cluster');
  let url: string;
  let bus: Bus | undefined;
  beforeAll(async () => {
    const clientPorts = [await freePort(), await freePort(), await freePort()];
    const routePorts = [await freePort(), await freePort(), await freePort()];
    const routes = routePorts.map((p) => `"nats-route://127.0.0.1:${p}"`).join(', ');
    clientPorts.forEach((port, i) => {
      sandbox.start(
        `server_name: n${i}\nhost: 127.0.0.1\nport: ${port}\n` +
          `jetstream { store_dir: "{dir}/n${i}" }\n` +
          `cluster { name: hip, host: 127.0.0.1, port: ${routePorts[i]}, routes: [${routes}] }\n`,
      );
    });
    url = `nats://127.0.0.1:${clientPorts[0]}`;
    // Ready once the cluster has elected its JetStream meta leader and can place 3 replicas.
    await waitFor(
      async () => {
        try {
          bus = await createNatsBus({ url, streamReplicas: 3 });
          await bus.publish('cluster.checks.ready', { ready: true });
          return true;
        } catch {
          await bus?.close();
          bus = undefined;
          return false;
        }
      },
      { timeoutMs: 30_000, intervalMs: 500, what: 'JetStream cluster ready for 3 replicas' },
    );
  }, 40_000);
  afterAll(async () => {
    await bus?.close();
    await sandbox.stop();
  });

  it('creates each stream and object bucket with 3 replicas', async () => {
    const objects = await bus!.objects('cluster_files');
    await objects.put('letter.pdf', new Uint8Array([1, 2, 3]));
    const nc = await connect({ servers: url });
    const jsm = await nc.jetstreamManager();
    const stream = await jsm.streams.info('CLUSTER');
    const bucket = await jsm.streams.info('OBJ_cluster_files');
    await nc.close();
    expect(stream.config.num_replicas).toBe(3);
    expect(stream.cluster?.replicas).toHaveLength(2);
    expect(bucket.config.num_replicas).toBe(3);
  });

  it('raises the replicas of a stream created with fewer', async () => {
    const nc = await connect({ servers: url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: 'LEGACY', subjects: ['legacy.>'], num_replicas: 1 });
    await bus!.publish('legacy.events.sent', { n: 1 });
    const info = await jsm.streams.info('LEGACY');
    await nc.close();
    expect(info.config.num_replicas).toBe(3);
  });
});
