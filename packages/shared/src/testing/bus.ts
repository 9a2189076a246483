import { connect } from 'nats';
import { createMemoryBus } from '../bus/memory.ts';
import { createNatsBus, natsServerOptions } from '../bus/nats.ts';
import type { Bus } from '../bus/types.ts';
import { serverUrl } from './servers.ts';

/** A subject domain no other test uses, so streams and durables never collide. */
export function uniqueDomain(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

/** Deletes the JetStream streams of test domains (`streamOf(domain)`), ignoring missing ones. */
export async function deleteStreams(url: string, ...domains: string[]): Promise<void> {
  const nc = await connect(natsServerOptions(url));
  try {
    const jsm = await nc.jetstreamManager();
    for (const d of domains) await jsm.streams.delete(d.toUpperCase()).catch(() => false);
  } finally {
    await nc.close();
  }
}

/**
 * The bus integration tests use: real JetStream when `NATS_URL` is set, in-process otherwise.
 * On NATS every test bus gets its own namespace (fixed subjects such as `tcs.documents.generated`
 * never collide between test files); pass the same `namespace` to simulate replicas, and the
 * namespace's stream and buckets are deleted when the bus that created it closes.
 */
export async function testBus(
  options: { real?: boolean; namespace?: string } = {},
): Promise<Bus & { namespace?: string }> {
  const url = serverUrl('nats');
  if (!url || options.real === false) return createMemoryBus();
  const namespace = options.namespace ?? uniqueDomain('test');
  const bus = await createNatsBus({ url, name: `test-${namespace}`, namespace });
  const close = bus.close.bind(bus);
  return Object.assign(bus, {
    namespace,
    async close() {
      await close();
      if (!options.namespace) await deleteNamespace(url, namespace);
    },
  });
}

/** Removes the stream and object-store buckets of a test namespace. */
export async function deleteNamespace(url: string, namespace: string): Promise<void> {
  const nc = await connect(natsServerOptions(url));
  try {
    const jsm = await nc.jetstreamManager();
    const names: string[] = [];
    for await (const info of jsm.streams.list()) {
      const n = info.config.name;
      if (n === namespace.toUpperCase() || n.startsWith(`OBJ_${namespace}_`)) names.push(n);
    }
    for (const n of names) await jsm.streams.delete(n).catch(() => false);
  } finally {
    await nc.close();
  }
}
