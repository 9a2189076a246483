import {
  baseConfigSchema,
  createMemoryBus,
  type Logger,
  type RunningSimulators,
  type ServiceDefinition,
} from '@hip/shared';
import { SAS_HUB_SENDERS } from '@hip/shared/schemas';
import { hubReachable } from '../src/adapters/amqp-client.ts';
import { createMemoryHub, type MemoryHub } from '../src/adapters/memory-hub.ts';
import { officialValidator } from '../src/adapters/schemas.ts';
import { configSchema } from '../src/config.ts';
import { startHubSimulator } from './hub-simulator.ts';
import { startLrmSimulator } from './lrm-page.tsx';

/** Our SAMU in the demo: the platform's hub-bridge. */
export const DEMO_CLIENT = 'fr.health.samu770';
/** The second SAMU, whose bridge answers our messages with RC-REFs. */
export const PEER_CLIENT = 'fr.health.samu920';
/**
 * The SAS platform's Hub client id: the test platform's, which sas-redirect accepts as the SAS
 * (`HUB_SAS_SENDERS`, default `fr.health.ptfsas,fr.health.test.ptfsas`).
 */
export const SAS_CLIENT: string = SAS_HUB_SENDERS[1];

/** Offsets from the simulators' base port: hub-bridge's block is +20..+29. */
export const PORT_OFFSETS = { peer: 21, lrm: 22, sas: 23 } as const;

const TTL_MS = 10 * 60_000;

const portOf = (value: string | undefined, fallback: number) =>
  value !== undefined && value !== '' ? Number(value) : fallback;

/**
 * The demo of `pnpm start`: the Hub simulator, a second SAMU's bridge, the SAS platform's Hub
 * client (a bridge too) and the LRM simulator page, on RabbitMQ when AMQP_URL answers, else on
 * an in-process hub. Returns the variables pointing our bridge at them.
 */
export async function startDemo(
  bridge: Pick<ServiceDefinition<typeof configSchema>, 'create'>,
  { logger, env, portBase }: { logger: Logger; env: Record<string, string | undefined>; portBase: number },
): Promise<RunningSimulators> {
  const { listen, openDatabase } = await import('@hip/shared/node');
  const amqpUrl = env.AMQP_URL || undefined;
  const shownAmqpUrl = amqpUrl?.replace(/\/\/[^@]*@/, '//');
  let hub: MemoryHub | undefined;
  let url: string;
  let vhost: string;
  if (amqpUrl && (await hubReachable(amqpUrl))) {
    url = amqpUrl;
    vhost = env.HUB_DEMO_VHOST || '/';
  } else {
    if (amqpUrl)
      logger.warn(
        { AMQP_URL: shownAmqpUrl },
        'RabbitMQ (AMQP_URL) is not reachable: the Hub simulator runs in process instead',
      );
    hub = createMemoryHub();
    url = hub.url;
    vhost = env.HUB_DEMO_VHOST || '15-15_v1.5';
  }
  const where = hub ? 'in process' : `on RabbitMQ ${shownAmqpUrl} vhost ${vhost}`;
  const samu = env.HUB_CLIENT_ID || DEMO_CLIENT;
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    await hub?.close();
  };
  try {
    const simulator = await startHubSimulator({
      url,
      vhost,
      clients: [samu, PEER_CLIENT, SAS_CLIENT],
      messageTtlMs: TTL_MS,
      validator: officialValidator(),
      logger,
    });
    stops.push(() => simulator.stop());

    /** Another Hub client of the demo: a bridge of its own, with its own bus and database. */
    const startClient = async (clientId: string, port: number) => {
      const bus = createMemoryBus();
      const database = await openDatabase({ dataDir: 'memory' });
      const instance = await bridge.create({
        config: baseConfigSchema.extend(configSchema.shape).parse({
          HUB_AMQP_URL: url,
          HUB_AUTH: 'plain',
          HUB_CLIENT_ID: clientId,
          HUB_VHOSTS: vhost,
          SHUTDOWN_GRACE_MS: 1_000,
        }),
        logger: logger.child({ hubClient: clientId }),
        bus,
        database,
      });
      const server = await listen(instance.app, port);
      stops.push(async () => {
        await server.close();
        await instance.stop();
        await bus.close();
        await database.close();
      });
      return server.port;
    };
    const peerPort = await startClient(
      PEER_CLIENT,
      portOf(env.HUB_DEMO_PEER_PORT, portBase + PORT_OFFSETS.peer),
    );
    const sasPort = await startClient(SAS_CLIENT, portOf(env.HUB_DEMO_SAS_PORT, portBase + PORT_OFFSETS.sas));
    const ownPort = env.HUB_BRIDGE_PORT || '8082';
    const lrm = await startLrmSimulator({
      port: portOf(env.HUB_DEMO_LRM_PORT, portBase + PORT_OFFSETS.lrm),
      clientId: samu,
      bridgeUrl: `http://127.0.0.1:${ownPort}`,
      bridgePageUrl: `http://localhost:${ownPort}`,
      recipients: [
        { id: PEER_CLIENT, label: `${PEER_CLIENT} (second SAMU)`, pageUrl: `http://localhost:${peerPort}/` },
        { id: 'fr.health.samu999', label: 'fr.health.samu999 (unknown to the Hub: RS-ERROR 501)' },
      ],
      hub: { where, simulator },
    });
    stops.push(() => lrm.close());
    logger.info(
      { hub: where, lrm: `http://localhost:${lrm.port}/`, peer: `http://localhost:${peerPort}/` },
      'Hub simulator, second SAMU and SAS platform client started',
    );
    return {
      env: {
        HUB_AMQP_URL: url,
        HUB_AUTH: 'plain',
        HUB_CLIENT_ID: samu,
        HUB_VHOSTS: vhost,
        // For sas-redirect's SAS simulator: where the SAS platform sends RS-SAS-RDV through the Hub.
        HUB_DEMO_SAS_BRIDGE_URL: `http://127.0.0.1:${sasPort}`,
        HUB_DEMO_SAMU_CLIENT_ID: samu,
      },
      links: [
        {
          label: `Hub Santé: LRM simulator of our SAMU (${samu}), send a message to the second SAMU`,
          url: `http://localhost:${lrm.port}/`,
        },
        {
          label: `Hub Santé: Hub simulator (dispatcher) ${where}, recent routing`,
          url: `http://localhost:${lrm.port}/#hub`,
        },
        {
          label: `Hub Santé: second SAMU's bridge ${PEER_CLIENT} (admin)`,
          url: `http://localhost:${peerPort}/`,
        },
        {
          label: `Hub Santé: SAS platform's Hub client ${SAS_CLIENT} (admin)`,
          url: `http://localhost:${sasPort}/`,
        },
      ],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
