import { createHash, randomUUID } from 'node:crypto';
import { type BusMessage, silentLogger } from '@hip/shared';
import { listen } from '@hip/shared/node';
import { HUB_SUBJECTS, type HubAcknowledged, type HubOutboundRejected } from '@hip/shared/schemas';
import {
  describeWithTools,
  freshDatabase,
  launchBrowser,
  startServiceForTest,
  waitFor,
} from '@hip/shared/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type HubSimulator, startHubSimulator } from '../sim/hub-simulator.ts';
import type { AmqpChannel, AmqpConnection, AmqpMessage } from '../src/adapters/amqp-client.ts';
import { officialValidator } from '../src/adapters/schemas.ts';
import { decodeBody } from '../src/domain/codec.ts';
import { buildMessage, type Edxl, summarize } from '../src/domain/envelope.ts';
import { typeByName } from '../src/domain/message-types.ts';
import { edxlToXml } from '../src/domain/xml.ts';
import { hubBridge } from '../src/service.ts';
import { type Example, officialExamples, officialValidMessages } from './fixtures.ts';
import { describeOnEachHubTransport } from './hub-transports.ts';

const A = 'fr.health.samua';
const B = 'fr.health.samub';
/** A client driven by raw amqplib, to publish what a bridge never would. */
const C = 'fr.health.samuc';
/** A client nobody consumes: its messages expire in its queue. */
const D = 'fr.health.samud';
/** A client whose bridge is stopped and started again within one test. */
const E = 'fr.health.samue';
const TTL_MS = 60_000;
const SHORT_TTL_MS = 1_500;

type Svc = Awaited<ReturnType<typeof startServiceForTest>>;

/**
 * The Hub contract end to end, on RabbitMQ and on the in-process hub alike: bridges publishing
 * with confirm and consuming with manual acks, the simulator's dispatcher checks and its `.info`
 * reports, TTL dead-lettering, broker-side cuts, several vhosts.
 */
describeOnEachHubTransport('hub-bridge A -> Hub simulator -> hub-bridge B', (transport) => {
  let vhost: { vhost: string; drop(): Promise<void> };
  let sim: HubSimulator;
  let a: Svc;
  let b: Svc;
  let raw: AmqpConnection;
  let rawChannel: AmqpChannel;
  const inboundAtB: BusMessage[] = [];
  /** RS-ERROR reports the Hub sent to C, oldest first. */
  const reportsForC: AmqpMessage[] = [];

  const bridgeEnv = (clientId: string) => ({
    HUB_AMQP_URL: transport().url,
    HUB_AUTH: 'plain',
    HUB_CLIENT_ID: clientId,
    HUB_VHOSTS: vhost.vhost,
    HUB_RECONNECT_INITIAL_MS: '100',
    HUB_RECONNECT_MAX_MS: '1000',
  });

  beforeAll(async () => {
    vhost = await transport().createVhost();
    sim = await startHubSimulator({
      url: transport().url,
      vhost: vhost.vhost,
      clients: [A, B, C, D, E],
      messageTtlMs: TTL_MS,
      ttlOverridesMs: { [D]: SHORT_TTL_MS },
      validator: officialValidator(),
      logger: silentLogger,
    });
    a = await startServiceForTest(hubBridge, { env: bridgeEnv(A) });
    b = await startServiceForTest(hubBridge, { env: bridgeEnv(B) });
    await b.bus.subscribe({
      subject: HUB_SUBJECTS.inboundAll,
      durable: 'test-inbound',
      concurrency: 16,
      handler: async (m) => {
        inboundAtB.push(m);
      },
    });
    raw = await transport().connect(vhost.vhost);
    rawChannel = await raw.createConfirmChannel();
    await rawChannel.consume(`${C}.info`, (m) => m && reportsForC.push(m), { noAck: true });
    await waitFor(async () => (await (await a.request('/readyz')).json()).status === 'ready', {
      what: 'A ready',
    });
    await waitFor(async () => (await (await b.request('/readyz')).json()).status === 'ready', {
      what: 'B ready',
    });
  }, 120_000);

  afterAll(async () => {
    await raw?.close().catch(() => {});
    await a?.stop();
    await b?.stop();
    await sim?.stop();
    await vhost?.drop();
  }, 30_000);

  async function send(svc: Svc, body: Record<string, unknown>) {
    return svc.request('/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /** States of many messages in one query (polling each one would swamp an embedded database). */
  async function states(
    svc: Svc,
    ids: string[],
  ): Promise<
    Map<string, { state: string; type: string; errorCode: number | null; errorCause: string | null }>
  > {
    const wanted = new Set(ids);
    const list = await (await svc.request('/messages?limit=500')).json();
    const found = new Map<
      string,
      { state: string; type: string; errorCode: number | null; errorCause: string | null }
    >(
      list.items
        .filter((r: { distributionId: string }) => wanted.has(r.distributionId))
        .map((r: { distributionId: string }) => [r.distributionId, r]),
    );
    // Beyond the 500 newest (a long burst on a slow machine): those few, one by one.
    for (const id of ids.filter((i) => !found.has(i))) {
      const row = await trace(svc, id);
      if (row) found.set(id, row);
    }
    return found;
  }

  async function trace(svc: Svc, id: string) {
    const res = await svc.request(`/messages/${encodeURIComponent(id)}`);
    return res.status === 200 ? res.json() : undefined;
  }

  /**
   * The receiver's trace once delivered. The sender can see the RC-REF before the receiver has
   * recorded sending it, so the receiver's side is waited for, never read right away.
   */
  function deliveredAt(svc: Svc, id: string) {
    return waitFor(
      async () => {
        const t = await trace(svc, id);
        return t?.state === 'delivered' ? t : undefined;
      },
      { what: `${id} delivered` },
    );
  }

  /** The messages B's bus subscriber has taken in, once they are all there. */
  function onBusAtB(ids: string[]) {
    return waitFor(
      () => {
        const byId = new Map(inboundAtB.map((m) => [m.json<{ distributionId: string }>().distributionId, m]));
        const missing = ids.filter((id) => !byId.has(id));
        if (missing.length) throw new Error(`not on B's bus yet: ${missing.slice(0, 3).join(', ')}`);
        return byId;
      },
      { what: "messages on B's bus" },
    );
  }

  /** Every business example goes A -> B and comes back acknowledged by B's RC-REF in A's trace. */
  async function roundTrip(examples: Example[], format: 'json' | 'xml') {
    const business = examples.filter((e) => e.type !== 'RC-REF' && e.type !== 'RS-ERROR');
    const ids: string[] = [];
    for (const example of business) {
      const res = await send(a, { recipient: B, type: example.type, content: example.content, format });
      expect(res.status, example.file).toBe(202);
      ids.push((await res.json()).distributionId);
    }
    await waitFor(
      async () => {
        const found = await states(a, ids);
        const late = ids.map((id) => found.get(id)).filter((r) => r?.state !== 'acknowledged');
        if (late.length)
          throw new Error(
            `not acknowledged: ${late
              .slice(0, 3)
              .map((r) => `${r?.type} ${r?.state} ${r?.errorCode} ${r?.errorCause}`)
              .join(' | ')}`,
          );
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `all ${format} examples acknowledged` },
    );
    const onBusById = await onBusAtB(ids);
    for (const [i, id] of ids.entries()) {
      const sent = await trace(a, id);
      const received = await deliveredAt(b, id);
      expect(received.format, business[i]?.file).toBe(format);
      expect(sent.ackDistributionId).toBe(received.ackDistributionId);
      expect(sent.ackDistributionId.startsWith(`${B}_`)).toBe(true);
      const onBus = onBusById.get(id);
      expect(onBus?.subject).toBe(`hub.inbound.${business[i]?.type}`);
      expect(onBus?.json<{ content: unknown }>().content).toEqual(business[i]?.content);
    }
  }

  const everyExample = () => [...officialExamples(), ...officialValidMessages()];

  it("carries every official JSON example and valid message from A to B, with B's RC-REF shown in A's trace", async () => {
    await roundTrip(
      everyExample().filter((e) => e.format === 'json'),
      'json',
    );
  }, 90_000);

  it('carries every official XML example and valid message from A to B in XML, with the RC-REF back', async () => {
    await roundTrip(
      everyExample().filter((e) => e.format === 'xml'),
      'xml',
    );
  }, 90_000);

  it('refuses a message missing a required field before sending: 422 with the JSON path, nothing published', async () => {
    const example = officialExamples().find((e) => e.type === 'RS-EDA' && e.format === 'json') as Example;
    const { caseId: _drop, ...content } = example.content;
    const routedBefore = sim.stats.routed ?? 0;
    const res = await send(a, { recipient: B, type: 'RS-EDA', content });
    expect(res.status).toBe(422);
    const problem = await res.json();
    expect(problem.errors).toContainEqual({
      path: '/content/0/jsonContent/embeddedJsonContent/message/createCaseHealth/caseId',
      message: 'is required',
    });
    const sent = await (await a.request('/messages?direction=sent&limit=500')).json();
    expect(sent.items.some((r: { state: string }) => r.state === 'pending')).toBe(false);
    expect(sim.stats.routed ?? 0).toBe(routedBefore);
  });

  it('maps a Hub .info report onto the trace of the message it references (501 unknown recipient)', async () => {
    const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
    const res = await send(a, { recipient: 'fr.health.samu999', type: 'RS-SR', content: example.content });
    const { distributionId } = await res.json();
    const row = await waitFor(async () => {
      const t = await trace(a, distributionId);
      return t?.state === 'error' ? t : undefined;
    });
    expect(row.errorCode).toBe(501);
    expect(row.history.map((h: { state: string }) => h.state)).toContain('confirmed');
  });

  it('maps a 500 report (expired unread in the recipient queue) onto the sent message as expired, and tells the bus', async () => {
    const errors: BusMessage[] = [];
    const subscription = await a.bus.subscribe({
      subject: HUB_SUBJECTS.error,
      durable: 'test-trace-error',
      handler: async (m) => {
        errors.push(m);
      },
    });
    try {
      const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
      const res = await send(a, { recipient: D, type: 'RS-SR', content: example.content });
      const { distributionId } = await res.json();
      const row = await waitFor(async () => {
        const t = await trace(a, distributionId);
        return t?.state === 'expired' ? t : undefined;
      });
      expect(row).toMatchObject({ errorCode: 500, direction: 'sent' });
      expect(row.history.map((h: { detail: string }) => h.detail).join(' ')).toContain('DEAD_LETTER_QUEUED');
      const event = await waitFor(() =>
        errors.find((m) => m.json<{ distributionId: string }>().distributionId === distributionId),
      );
      expect(event.json()).toMatchObject({ code: 500, statusString: 'DEAD_LETTER_QUEUED' });
      // The report itself is kept in the trace too, as received.
      const reports = await (await a.request('/messages?state=report&limit=500')).json();
      expect(reports.items.some((r: { errorCode: number }) => r.errorCode === 500)).toBe(true);
    } finally {
      await subscription.stop();
    }
  }, 20_000);

  // ---- the simulator's dispatcher checks, on raw publications from client C ----

  /** The RS-SR content object inside a built message, for mutations. */
  const statusOf = (e: Edxl) =>
    e.content[0]?.jsonContent.embeddedJsonContent.message.resourcesStatus as Record<string, unknown>;

  function edxlFrom(
    sender: string,
    recipient: string,
    overrides: Partial<Edxl> = {},
    content?: unknown,
  ): Edxl {
    const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
    return {
      ...buildMessage({
        senderId: sender,
        recipientId: recipient,
        type: typeByName('RS-SR') as NonNullable<ReturnType<typeof typeByName>>,
        content: content ?? example.content,
        now: new Date(),
        uniqueId: randomUUID(),
        ttlMs: 60_000,
      }),
      ...overrides,
    };
  }

  async function publishAsC(body: string, options: { persistent?: boolean; contentType?: string } = {}) {
    await new Promise<void>((resolve, reject) =>
      rawChannel.publish(
        'hubsante',
        C,
        Buffer.from(body),
        { persistent: options.persistent ?? true, contentType: options.contentType ?? 'application/json' },
        (e) => (e ? reject(e) : resolve()),
      ),
    );
  }

  /** The next RS-ERROR on C's `.info` queue, as a summary of code and referenced id. */
  async function nextReportForC(): Promise<{ code: number; referenced: string; cause: string }> {
    const msg = await waitFor(() => reportsForC.shift());
    const summary = summarize(
      decodeBody(msg.content.toString(), msg.properties.contentType, officialValidator()),
    );
    const content = summary.content as {
      errorCode: { statusCode: number };
      referencedDistributionID: string;
      errorCause: string;
    };
    return {
      code: content.errorCode.statusCode,
      referenced: content.referencedDistributionID,
      cause: content.errorCause,
    };
  }

  const mutations: [string, number, () => { body: string; persistent?: boolean; contentType?: string }][] = [
    [
      'a missing required field',
      300,
      () => {
        const e = edxlFrom(C, B);
        delete statusOf(e).caseId;
        return { body: JSON.stringify(e) };
      },
    ],
    [
      'an unknown property',
      300,
      () => {
        const e = edxlFrom(C, B);
        statusOf(e).surprise = 1;
        return { body: JSON.stringify(e) };
      },
    ],
    [
      'a content with no schema',
      301,
      () => {
        const e = edxlFrom(C, B);
        e.content[0] = { jsonContent: { embeddedJsonContent: { message: { unknownThing: {} } } } };
        return { body: JSON.stringify(e) };
      },
    ],
    [
      'a wrong sender (senderID is not the routing key)',
      200,
      () => ({ body: JSON.stringify(edxlFrom(A, B)) }),
    ],
    [
      'a distributionID without the sender prefix',
      200,
      () => ({
        body: JSON.stringify(edxlFrom(C, B, { distributionID: `${A}_${randomUUID()}` })),
      }),
    ],
    [
      'a non-persistent publication',
      100,
      () => ({ body: JSON.stringify(edxlFrom(C, B)), persistent: false }),
    ],
    [
      'an expired message',
      400,
      () => ({
        body: JSON.stringify(edxlFrom(C, B, { dateTimeExpires: '2020-01-01T00:00:00+00:00' })),
      }),
    ],
    ['an unknown recipient', 501, () => ({ body: JSON.stringify(edxlFrom(C, 'fr.health.samu404')) })],
    ['an unparsable body', 102, () => ({ body: '{"distributionID": ' })],
    [
      'a content type other than JSON or XML',
      101,
      () => ({ body: JSON.stringify(edxlFrom(C, B)), contentType: 'text/plain' }),
    ],
    [
      'XML with an external entity',
      102,
      () => ({
        body: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${edxlToXml(
          edxlFrom(C, B),
        )
          .replace(/^<\?xml[^>]*>/, '')
          .replace('<senderID>', '<senderID>&xxe;')}`,
        contentType: 'application/xml',
      }),
    ],
  ];

  for (const [what, code, make] of mutations) {
    it(`the simulator rejects ${what} with RS-ERROR ${code} on the sender's .info`, async () => {
      const { body, ...options } = make();
      await publishAsC(body, options);
      const report = await nextReportForC();
      expect(report.code, report.cause).toBe(code);
    });
  }

  it('the simulator reports 500 to the sender when a message expires unread in its recipient queue', async () => {
    const e = edxlFrom(C, D);
    await publishAsC(JSON.stringify(e));
    const report = await nextReportForC();
    expect(report.code).toBe(500);
    expect(report.referenced).toBe(e.distributionID);
  }, 20_000);

  it('B parks an invalid message that reached its queue, answers RS-ERROR 300 to the sender, and can retry it', async () => {
    const e = edxlFrom(C, B);
    statusOf(e).surprise = 1;
    // As if the Hub had let it through: straight into B's message queue.
    await new Promise<void>((resolve, reject) =>
      rawChannel.publish(
        'distribution',
        `${B}.message`,
        Buffer.from(JSON.stringify(e)),
        { persistent: true, contentType: 'application/json' },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    const report = await nextReportForC();
    expect(report).toMatchObject({ code: 300, referenced: e.distributionID });
    const parked = await trace(b, e.distributionID);
    expect(parked).toMatchObject({ state: 'parked', errorCode: 300 });
    expect(parked.errorCause).toContain('surprise');
    const parkedList = await (await b.request('/messages?state=parked')).json();
    expect(parkedList.items.map((r: { distributionId: string }) => r.distributionId)).toContain(
      e.distributionID,
    );
    const retried = await b.request(`/messages/${encodeURIComponent(e.distributionID)}/retry`, {
      method: 'POST',
    });
    expect(retried.status).toBe(200);
    expect((await retried.json()).state).toBe('parked');
  });

  it("loses no message when the broker closes A's, then B's, connection in the middle of a burst", async () => {
    const example = officialExamples().find((e) => e.type === 'RS-EDA' && e.format === 'json') as Example;
    const ids: string[] = [];
    const sendOne = async () => {
      const res = await send(a, {
        recipient: B,
        type: 'RS-EDA',
        content: example.content,
        reference: `burst-${randomUUID()}`,
      });
      expect(res.status).toBe(202);
      ids.push((await res.json()).distributionId);
    };
    // The sender's connection, then the receiver's (consuming and answering RC-REFs), cut by
    // the broker while requests keep coming, five at a time.
    let cutsDone = false;
    const cuts = (async () => {
      expect(await transport().closeConnectionsOf(vhost.vhost, A)).toBeGreaterThan(0);
      expect(await transport().closeConnectionsOf(vhost.vhost, B)).toBeGreaterThan(0);
    })().finally(() => {
      cutsDone = true;
    });
    while (!cutsDone || ids.length < 100) {
      await Promise.all(Array.from({ length: 5 }, sendOne));
      // An embedded database answers without I/O: let the event loop run the cuts in between.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await cuts;
    await waitFor(
      async () => {
        const found = await states(a, ids);
        return ids.every((id) => found.get(id)?.state === 'acknowledged');
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'every burst message acknowledged' },
    );
    const onBus = await onBusAtB(ids);
    expect(ids.filter((id) => !onBus.has(id))).toEqual([]);
  }, 90_000);

  it('sends a message published on the bus subject hub.outbound', async () => {
    const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
    const reference = `bus-${randomUUID()}`;
    const acks: HubAcknowledged[] = [];
    const subscription = await a.bus.subscribe({
      subject: HUB_SUBJECTS.acknowledged,
      durable: 'test-acknowledged',
      handler: async (m) => {
        acks.push(m.json<HubAcknowledged>());
      },
    });
    await a.bus.publish(
      HUB_SUBJECTS.outbound,
      { recipient: B, type: 'RS-SR', content: example.content, reference },
      { msgId: reference },
    );
    const row = await waitFor(async () => {
      const list = await (await a.request('/messages?direction=sent&limit=500')).json();
      const found = list.items.find((r: { reference: string | null }) => r.reference === reference);
      return found?.state === 'acknowledged' ? found : undefined;
    });
    expect(row.peer).toBe(B);
    // The LRM learns of the final acknowledgement on the bus, under its own reference.
    const ack = await waitFor(() => acks.find((e) => e.reference === reference));
    expect(ack).toMatchObject({
      distributionId: row.distributionId,
      ackDistributionId: row.ackDistributionId,
    });
    await subscription.stop();
  });

  it('answers an invalid hub.outbound request on hub.outbound.rejected with the JSON paths, and sends nothing', async () => {
    const rejected: HubOutboundRejected[] = [];
    const subscription = await a.bus.subscribe({
      subject: HUB_SUBJECTS.outboundRejected,
      durable: 'test-rejected',
      handler: async (m) => {
        rejected.push(m.json<HubOutboundRejected>());
      },
    });
    try {
      const example = officialExamples().find((e) => e.type === 'RS-EDA' && e.format === 'json') as Example;
      const { caseId: _drop, ...content } = example.content;
      const reference = `invalid-${randomUUID()}`;
      await a.bus.publish(
        HUB_SUBJECTS.outbound,
        { recipient: B, type: 'RS-EDA', content, reference },
        { msgId: reference },
      );
      await a.bus.publish(HUB_SUBJECTS.outbound, { recipient: 'nobody', type: 'RS-EDA', content: {} });
      const schemaErrors = await waitFor(() => rejected.find((r) => r.reference === reference));
      expect(schemaErrors).toMatchObject({ code: 300, type: 'RS-EDA', recipient: B });
      expect(schemaErrors.errors).toContainEqual({
        path: '/content/0/jsonContent/embeddedJsonContent/message/createCaseHealth/caseId',
        message: 'is required',
      });
      const badRequest = await waitFor(() => rejected.find((r) => r.recipient === 'nobody'));
      expect(badRequest.errors.map((e) => e.path)).toContain('/recipient');
      // An unknown vhost is refused at once (retrying cannot make it appear), under the message id.
      const unknownVhost = `vhost-${randomUUID()}`;
      await a.bus.publish(
        HUB_SUBJECTS.outbound,
        { recipient: B, type: 'RS-EDA', content: example.content, vhost: 'nope' },
        { msgId: unknownVhost },
      );
      const vhostRefused = await waitFor(() => rejected.find((r) => r.reference === unknownVhost));
      expect(vhostRefused).toMatchObject({ code: 300, errors: [{ path: '/vhost' }] });
      const notJson = `garbled-${randomUUID()}`;
      await a.bus.publish(HUB_SUBJECTS.outbound, '{"recipient":', { msgId: notJson });
      expect(await waitFor(() => rejected.find((r) => r.reference === notJson))).toMatchObject({ code: 102 });
      const sent = await (await a.request('/messages?direction=sent&limit=500')).json();
      expect(sent.items.some((r: { reference: string | null }) => r.reference === reference)).toBe(false);
    } finally {
      await subscription.stop();
    }
  });

  it('carries customContent objects beside the business content, with the kind asked for', async () => {
    const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
    // Text values: customContent has no schema, so XML cannot say what would be a number.
    const customContent = [
      { lrmNote: 'appeler le CRRA avant départ ', priority: 'P2' },
      { tag: 'exercise-7' },
    ];
    for (const format of ['json', 'xml'] as const) {
      const res = await send(a, {
        recipient: B,
        type: 'RS-SR',
        content: example.content,
        customContent,
        kind: 'Update',
        format,
      });
      expect(res.status).toBe(202);
      const { distributionId } = await res.json();
      const onBus = await waitFor(() =>
        inboundAtB.find((m) => m.json<{ distributionId: string }>().distributionId === distributionId),
      );
      expect(onBus.json()).toMatchObject({ kind: 'Update', customContent, content: example.content });
    }
  });

  describeWithTools(['chromium'], 'the admin page in headless Chromium', () => {
    it('shows sent messages with their final acknowledgement and parked received ones on the admin page (headless Chromium)', async () => {
      const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
      const res = await send(a, { recipient: B, type: 'RS-SR', content: example.content });
      const { distributionId } = await res.json();
      const acked = await waitFor(async () => {
        const t = await trace(a, distributionId);
        return t?.state === 'acknowledged' ? t : undefined;
      });
      // A parked message of its own at B (straight into B's queue, as if the Hub had let it through).
      const invalid = edxlFrom(C, B);
      statusOf(invalid).surprise = 1;
      await new Promise<void>((resolve, reject) =>
        rawChannel.publish(
          'distribution',
          `${B}.message`,
          Buffer.from(JSON.stringify(invalid)),
          { persistent: true, contentType: 'application/json' },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
      expect(await nextReportForC()).toMatchObject({ code: 300, referenced: invalid.distributionID });
      const server = await listen(a.app, 0, '127.0.0.1');
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${server.port}/`);
        const row = page.locator(`table[data-direction="sent"] tr[data-distribution-id="${distributionId}"]`);
        await expect(row.locator('[data-status]').getAttribute('data-status')).resolves.toBe('acknowledged');
        await expect(row.locator('td.ack').textContent()).resolves.toContain(acked.ackDistributionId);
        await expect(page.locator('#connections').textContent()).resolves.toContain('connected');
        expect(await row.locator('button').count()).toBe(0); // an acknowledged message offers no retry
        const serverB = await listen(b.app, 0, '127.0.0.1');
        try {
          await page.goto(`http://127.0.0.1:${serverB.port}/`);
          const parked = page.locator(
            `table[data-direction="received"] tr[data-distribution-id="${invalid.distributionID}"]`,
          );
          await expect(parked.locator('[data-status]').getAttribute('data-status')).resolves.toBe('parked');
          await expect(parked.textContent()).resolves.toContain('300');
          // Retry from the page: re-processed, still invalid, so parked again with a retry in its history.
          const back = page.waitForResponse(
            (r) => r.url() === `http://127.0.0.1:${serverB.port}/` && r.request().method() === 'GET',
          );
          await parked.locator('button', { hasText: 'Retry' }).click();
          expect((await back).status()).toBe(200);
          await page.waitForLoadState();
          await expect(parked.locator('[data-status]').getAttribute('data-status')).resolves.toBe('parked');
          const retried = await trace(b, invalid.distributionID);
          const states = retried.history.map((h: { state: string }) => h.state);
          expect(states.slice(states.indexOf('retry'))).toEqual(['retry', 'parked']);
        } finally {
          await serverB.close();
        }
      } finally {
        await browser.close();
        await server.close();
      }
    }, 60_000);
  });

  it('re-publishes at start a message accepted while the Hub was unreachable (nothing lost across a restart)', async () => {
    const database = await freshDatabase();
    try {
      const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
      // First run: the broker cannot be reached, the message waits in the trace as `pending`.
      const offline = await startServiceForTest(hubBridge, {
        database,
        env: { ...bridgeEnv(E), HUB_AMQP_URL: transport().unreachableUrl },
      });
      const res = await send(offline, { recipient: B, type: 'RS-SR', content: example.content });
      expect(res.status).toBe(202);
      const { distributionId, state } = await res.json();
      expect(state).toBe('pending');
      await offline.stop();
      // Second run on the same database, broker reachable: re-published, delivered, acknowledged.
      const online = await startServiceForTest(hubBridge, { database, env: bridgeEnv(E) });
      try {
        const row = await waitFor(
          async () => {
            const t = await trace(online, distributionId);
            return t?.state === 'acknowledged' ? t : undefined;
          },
          { timeoutMs: 20_000, intervalMs: 100 },
        );
        expect(row.ackDistributionId.startsWith(`${B}_`)).toBe(true);
        expect((await deliveredAt(b, distributionId)).ackDistributionId).toBe(row.ackDistributionId);
      } finally {
        await online.stop();
      }
    } finally {
      await database.drop();
    }
  }, 90_000);

  it('works with a bridge deployed in XML: its RC-REFs and messages are XML, read by a JSON bridge and back', async () => {
    const xmlBridge = await startServiceForTest(hubBridge, { env: { ...bridgeEnv(E), HUB_FORMAT: 'xml' } });
    try {
      await waitFor(async () => (await (await xmlBridge.request('/readyz')).json()).status === 'ready');
      const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
      // A (JSON) -> E (XML): E's RC-REF travels as XML and A reads it.
      const toXml = await (await send(a, { recipient: E, type: 'RS-SR', content: example.content })).json();
      const ackedAtA = await waitFor(async () => {
        const t = await trace(a, toXml.distributionId);
        return t?.state === 'acknowledged' ? t : undefined;
      });
      expect(ackedAtA.ackDistributionId.startsWith(`${E}_`)).toBe(true);
      // E -> B: E's own messages are XML by default, B reads them and answers in JSON.
      const fromXml = await (
        await send(xmlBridge, { recipient: B, type: 'RS-SR', content: example.content })
      ).json();
      expect(fromXml.format).toBe('xml');
      await waitFor(async () => {
        const t = await trace(xmlBridge, fromXml.distributionId);
        return t?.state === 'acknowledged' ? t : undefined;
      });
      expect((await deliveredAt(b, fromXml.distributionId)).format).toBe('xml');
    } finally {
      await xmlBridge.stop();
    }
  }, 60_000);

  it('uses several vHosts at once: sends on the one asked for, answers on the one a message came from', async () => {
    const second = await transport().createVhost();
    const sim2 = await startHubSimulator({
      url: transport().url,
      vhost: second.vhost,
      clients: [A, B],
      messageTtlMs: TTL_MS,
      validator: officialValidator(),
      logger: silentLogger,
    });
    const both = `${vhost.vhost},${second.vhost}`;
    const a2 = await startServiceForTest(hubBridge, {
      env: { ...bridgeEnv(A), HUB_CLIENT_ID: A, HUB_VHOSTS: both },
    });
    const b2 = await startServiceForTest(hubBridge, { env: { ...bridgeEnv(B), HUB_VHOSTS: second.vhost } });
    try {
      await waitFor(async () => (await (await a2.request('/readyz')).json()).status === 'ready', {
        timeoutMs: 20_000,
      });
      const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
      const res = await send(a2, {
        recipient: B,
        type: 'RS-SR',
        content: example.content,
        vhost: second.vhost,
      });
      const { distributionId } = await res.json();
      const row = await waitFor(async () => {
        const t = await trace(a2, distributionId);
        return t?.state === 'acknowledged' ? t : undefined;
      });
      expect(row.vhost).toBe(second.vhost);
      expect((await deliveredAt(b2, distributionId)).vhost).toBe(second.vhost);
      // The message and its RC-REF (counted once the simulator's own publication is confirmed).
      await waitFor(() => (sim2.stats.routed ?? 0) >= 2);
      const unknown = await send(a2, {
        recipient: B,
        type: 'RS-SR',
        content: example.content,
        vhost: 'nope',
      });
      expect(unknown.status).toBe(422);
    } finally {
      await a2.stop();
      await b2.stop();
      await sim2.stop();
      await second.drop();
    }
  }, 90_000);

  it('shows on a received message that the Hub refused the RC-REF answering it (the sender never got it)', async () => {
    // A valid message from a client the Hub does not know, as if it had come through: B's RC-REF
    // to it is unroutable, and the Hub tells B on .info.
    const stranger = 'fr.health.samu404';
    const e = edxlFrom(stranger, B);
    await new Promise<void>((resolve, reject) =>
      rawChannel.publish(
        'distribution',
        `${B}.message`,
        Buffer.from(JSON.stringify(e)),
        { persistent: true, contentType: 'application/json' },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    const row = await waitFor(async () => {
      const t = await trace(b, e.distributionID);
      return t?.errorCode && t.state === 'delivered' ? t : undefined;
    });
    expect(row).toMatchObject({ direction: 'received', state: 'delivered', errorCode: 501 });
    expect(row.errorCause).toContain('RC-REF not delivered');
    expect(row.history.map((h: { detail: string }) => h.detail)).toContainEqual(
      expect.stringContaining(`RC-REF ${row.ackDistributionId} reported 501`),
    );
  });

  it('parks an unreadable delivery on .message or .info (no envelope, nobody to answer) instead of dropping it', async () => {
    for (const queue of ['message', 'info']) {
      const body = `{"broken": "${randomUUID()}"`;
      await new Promise<void>((resolve, reject) =>
        rawChannel.publish(
          'distribution',
          `${B}.${queue}`,
          Buffer.from(body),
          { persistent: true, contentType: 'application/json' },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
      const id = `unreadable_${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
      const row = await waitFor(() => trace(b, id));
      expect(row).toMatchObject({ state: 'parked', errorCode: 102, direction: 'received' });
      expect(row.history[0].detail).toContain(`.${queue}`);
    }
  });
});
