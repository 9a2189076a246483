import type { BusMessage, RunningSimulators } from '@hip/shared';
import { listen } from '@hip/shared/node';
import { HUB_SUBJECTS, HubInboundSasRdvSchema, SAS_HUB_SENDERS } from '@hip/shared/schemas';
import {
  describeWithServers,
  freePort,
  recordingLogger,
  serverUrl,
  startServiceForTest,
  waitFor,
} from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubBridge } from '../src/service.ts';
import { officialExamples } from './fixtures.ts';
import { createTestVhost } from './rabbitmq.ts';

const simulators = hubBridge.simulators as NonNullable<typeof hubBridge.simulators>;
const json = { 'content-type': 'application/json' };
const exampleOf = (type: string) =>
  officialExamples().find((e) => e.type === type && e.format === 'json')?.content as Record<string, unknown>;

/** `pnpm start`'s hub-bridge part: the simulators, then our bridge on the variables they give, on a real port. */
async function startDemo(env: Record<string, string>) {
  const { logger, lines } = recordingLogger();
  const bridgePort = await freePort();
  const sims = await simulators({
    logger,
    portBase: 9100,
    env: {
      ...env,
      HUB_BRIDGE_PORT: String(bridgePort),
      HUB_DEMO_PEER_PORT: '0',
      HUB_DEMO_LRM_PORT: '0',
      HUB_DEMO_SAS_PORT: '0',
    },
  });
  const svc = await startServiceForTest(hubBridge, { env: sims.env });
  const server = await listen(svc.app, bridgePort, '127.0.0.1');
  await waitFor(async () => (await (await svc.request('/readyz')).json()).status === 'ready', {
    what: 'our bridge ready',
  });
  const link = (text: string) => sims.links.find((l) => l.label.includes(text))?.url as string;
  return {
    lines,
    sims,
    svc,
    link,
    async stop() {
      await server.close();
      await svc.stop();
      await sims.stop();
    },
  };
}

type Demo = Awaited<ReturnType<typeof startDemo>>;

/** What the demo must do whichever the Hub under it. */
function demoContract(demo: () => Demo) {
  it('sends a message to the second SAMU, which receives it and answers with the RC-REF shown in our trace', async () => {
    const { svc, link } = demo();
    const res = await svc.request('/messages', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ recipient: 'fr.health.samu920', type: 'RS-SR', content: exampleOf('RS-SR') }),
    });
    expect(res.status).toBe(202);
    const { distributionId } = await res.json();
    const row = await waitFor(async () => {
      const t = await (await svc.request(`/messages/${distributionId}`)).json();
      return t.state === 'acknowledged' ? t : undefined;
    });
    expect(row.ackDistributionId.startsWith('fr.health.samu920_')).toBe(true);
    // The second SAMU's admin page, over real HTTP, lists it as received.
    const peerPage = await (await fetch(link('fr.health.samu920'))).text();
    expect(peerPage).toContain(distributionId);
    // Our trace page of the message shows its RC-REF.
    const trace = await (await svc.request(`/admin/messages/${encodeURIComponent(distributionId)}`)).text();
    expect(trace).toContain(row.ackDistributionId);
  });

  it('the LRM simulator page sends an official example through our bridge and shows its RC-REF', async () => {
    const { svc, link } = demo();
    const lrm = new URL(link('LRM simulator'));
    const page = await (await fetch(lrm)).text();
    const option = /<option value="(RS-EDA\/[^"]+\.json)"/.exec(page)?.[1] as string;
    expect(option).toBeDefined();
    const posted = await fetch(new URL('/send', lrm), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: lrm.origin },
      body: new URLSearchParams({ example: option, recipient: 'fr.health.samu920', format: 'xml' }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    const cookie = posted.headers.get('set-cookie')?.split(';')[0] ?? '';
    const shown = await (await fetch(lrm, { headers: { cookie } })).text();
    const distributionId = /Sent RS-EDA to fr\.health\.samu920 as (fr\.health\.samu770_[\w-]+)/.exec(
      shown,
    )?.[1];
    expect(distributionId, shown.slice(0, 3000)).toBeDefined();
    const row = await waitFor(async () => {
      const t = await (await svc.request(`/messages/${distributionId}`)).json();
      return t.state === 'acknowledged' ? t : undefined;
    });
    expect(row.format).toBe('xml');
    const later = await (await fetch(lrm)).text();
    expect(later).toContain(row.ackDistributionId);
    expect(later).toMatch(/routed/);
  });

  it('the LRM simulator page says in its flash why nothing was sent', async () => {
    const { link } = demo();
    const lrm = new URL(link('LRM simulator'));
    const posted = await fetch(new URL('/send', lrm), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: lrm.origin },
      body: new URLSearchParams({ example: 'nope.json', recipient: 'fr.health.samu920', format: 'json' }),
      redirect: 'manual',
    });
    const cookie = posted.headers.get('set-cookie')?.split(';')[0] ?? '';
    const shown = await (await fetch(lrm, { headers: { cookie } })).text();
    expect(shown).toMatch(/class="flash error"[^>]*>Choose an official example/);
  });

  it("the SAS platform's Hub client sends RS-SAS-RDV through the Hub: it reaches our bus as sas-redirect reads it", async () => {
    const { svc, sims } = demo();
    const received: BusMessage[] = [];
    const subscription = await svc.bus.subscribe({
      subject: HUB_SUBJECTS.inbound('RS-SAS-RDV'),
      durable: 'test-sas-rdv',
      handler: async (m) => {
        received.push(m);
      },
    });
    try {
      const appointment = exampleOf('RS-SAS-RDV');
      // The contract given to sas-redirect's SAS simulator.
      const res = await fetch(`${sims.env.HUB_DEMO_SAS_BRIDGE_URL}/messages`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          recipient: sims.env.HUB_DEMO_SAMU_CLIENT_ID,
          type: 'RS-SAS-RDV',
          content: appointment,
        }),
      });
      expect(res.status).toBe(202);
      const { distributionId } = await res.json();
      const message = await waitFor(() =>
        received.find((m) => m.json<{ distributionId: string }>().distributionId === distributionId),
      );
      const parsed = HubInboundSasRdvSchema.parse(message.json());
      expect(SAS_HUB_SENDERS as readonly string[]).toContain(parsed.senderId);
      expect(parsed.recipientId).toBe(sims.env.HUB_DEMO_SAMU_CLIENT_ID);
      expect(parsed.content.appointment).toEqual(appointment);
      // And the SAS client has our RC-REF.
      await waitFor(async () => {
        const t = await (
          await fetch(`${sims.env.HUB_DEMO_SAS_BRIDGE_URL}/messages/${distributionId}`)
        ).json();
        return t.state === 'acknowledged' ? t : undefined;
      });
    } finally {
      await subscription.stop();
    }
  });
}

describe('pnpm start without RabbitMQ: the Hub simulator in process', () => {
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo({});
  }, 60_000);
  afterAll(() => demo?.stop(), 30_000);

  it('points our bridge at an in-process hub and gives sas-redirect its SAS client', () => {
    const { sims, lines } = demo;
    expect(sims.env).toMatchObject({
      HUB_AUTH: 'plain',
      HUB_CLIENT_ID: 'fr.health.samu770',
      HUB_DEMO_SAMU_CLIENT_ID: 'fr.health.samu770',
    });
    expect(sims.env.HUB_AMQP_URL).toMatch(/^memory:\/\//);
    expect(sims.env.HUB_DEMO_SAS_BRIDGE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sims.links.map((l) => l.label).join('\n')).toMatch(
      /Hub Santé: LRM simulator[\s\S]*Hub simulator[\s\S]*fr\.health\.samu920[\s\S]*fr\.health\.test\.ptfsas/,
    );
    expect(lines.filter((l) => l.level === 40)).toEqual([]);
  });

  demoContract(() => demo);
});

describe('pnpm start with RabbitMQ unreachable at AMQP_URL', () => {
  it('says so once and runs the Hub simulator in process instead', async () => {
    const demo = await startDemo({ AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' });
    try {
      expect(demo.sims.env.HUB_AMQP_URL).toMatch(/^memory:\/\//);
      expect(demo.lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
        'RabbitMQ (AMQP_URL) is not reachable: the Hub simulator runs in process instead',
      ]);
    } finally {
      await demo.stop();
    }
  }, 60_000);
});

describeWithServers(['rabbitmq'], 'pnpm start with RabbitMQ: the Hub simulator on it', () => {
  let demo: Demo;
  let vhost: Awaited<ReturnType<typeof createTestVhost>>;
  beforeAll(async () => {
    vhost = await createTestVhost();
    demo = await startDemo({ AMQP_URL: serverUrl('rabbitmq') as string, HUB_DEMO_VHOST: vhost.vhost });
  }, 60_000);
  afterAll(async () => {
    await demo?.stop();
    await vhost?.drop();
  }, 30_000);

  it('points our bridge at RabbitMQ', () => {
    const sims: RunningSimulators = demo.sims;
    expect(sims.env).toMatchObject({
      HUB_AMQP_URL: serverUrl('rabbitmq'),
      HUB_CLIENT_ID: 'fr.health.samu770',
      HUB_VHOSTS: vhost.vhost,
    });
  });

  demoContract(() => demo);
});
