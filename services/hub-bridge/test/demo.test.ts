import type { Logger } from '@hip/shared';
import { describeWithServers, serverUrl, startServiceForTest, waitFor } from '@hip/shared/testing';
import { describe, expect, it } from 'vitest';
import { hubBridge } from '../src/service.ts';
import { officialExamples } from './fixtures.ts';
import { createTestVhost } from './rabbitmq.ts';

/** A logger that keeps its warnings, to check what `pnpm start` says. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger = {
    warnings,
    warn: (a: unknown, b?: string) => warnings.push(typeof a === 'string' ? a : (b ?? '')),
    info: () => {},
    error: () => {},
    debug: () => {},
    child: () => logger,
  };
  return logger as unknown as Logger & { warnings: string[] };
}

const simulators = hubBridge.simulators as NonNullable<typeof hubBridge.simulators>;

describe('pnpm start without RabbitMQ', () => {
  for (const [what, env] of [
    ['AMQP_URL unset', {}],
    ['RabbitMQ unreachable at AMQP_URL', { AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' }],
  ] as const) {
    it(`says that hub-bridge stays idle (${what}) and leaves it unconfigured`, async () => {
      const logger = recordingLogger();
      const sims = await simulators({ logger, env: { ...env }, portBase: 9100 });
      expect(sims.env).toEqual({});
      expect(logger.warnings.join('\n')).toMatch(
        /RabbitMQ \(AMQP_URL\) is not reachable; hub-bridge stays idle/,
      );
      expect(sims.links[0]?.label).toContain('idle');
      await sims.stop();
    });
  }
});

describeWithServers(['rabbitmq'], 'pnpm start with RabbitMQ: the simulator and a second SAMU', () => {
  it('starts the Hub simulator and a peer bridge, and points this bridge at them: a message comes back acknowledged', async () => {
    const vhost = await createTestVhost();
    const sims = await simulators({
      logger: recordingLogger(),
      portBase: 9100,
      env: { AMQP_URL: serverUrl('rabbitmq'), HUB_DEMO_VHOST: vhost.vhost, HUB_DEMO_PEER_PORT: '0' },
    });
    try {
      expect(sims.env).toMatchObject({ HUB_CLIENT_ID: 'fr.health.samu770', HUB_VHOSTS: vhost.vhost });
      const peerLink = sims.links.find((l) => l.label.includes('fr.health.samu920')) as { url: string };
      const svc = await startServiceForTest(hubBridge, { env: sims.env });
      try {
        await waitFor(async () => (await (await svc.request('/readyz')).json()).status === 'ready');
        const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json');
        const res = await svc.request('/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ recipient: 'fr.health.samu920', type: 'RS-SR', content: example?.content }),
        });
        const { distributionId } = await res.json();
        const row = await waitFor(async () => {
          const t = await (await svc.request(`/messages/${distributionId}`)).json();
          return t.state === 'acknowledged' ? t : undefined;
        });
        expect(row.ackDistributionId.startsWith('fr.health.samu920_')).toBe(true);
        // The peer SAMU's admin page, served over real HTTP, lists what it received.
        const peerPage = await (await fetch(peerLink.url)).text();
        expect(peerPage).toContain(distributionId);
      } finally {
        await svc.stop();
      }
    } finally {
      await sims.stop();
      await vhost.drop();
    }
  }, 60_000);
});
