import { describe } from 'vitest';
import { createMemoryBus } from '../src/index.ts';
import { createNatsBus } from '../src/node/index.ts';
import { deleteNamespace, deleteStreams, uniqueDomain } from '../src/testing/bus.ts';
import { describeWithServers, serverUrl } from '../src/testing/servers.ts';
import { busContract } from './bus-contract.ts';

describe('bus contract: in-process adapter', () => {
  // Replicas of the embedded mode live in one process and so share one bus.
  const shared = createMemoryBus();
  busContract(async () => shared);
});

describeWithServers(['nats'], 'bus contract: NATS JetStream adapter', () => {
  const url = serverUrl('nats')!;
  busContract(
    () => createNatsBus({ url, name: 'bus-contract' }),
    (domains) => deleteStreams(url, ...domains),
  );
});

describeWithServers(['nats'], 'bus contract: NATS JetStream adapter in a namespace', () => {
  const url = serverUrl('nats')!;
  const namespace = uniqueDomain('ns');
  busContract(
    () => createNatsBus({ url, name: 'bus-contract-ns', namespace }),
    () => deleteNamespace(url, namespace),
  );
});
