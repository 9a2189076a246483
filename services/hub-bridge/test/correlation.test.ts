import { BUS_CORRELATION_HEADER, type BusMessage, createMemoryBus, withCorrelation } from '@hip/shared';
import { HUB_SUBJECTS } from '@hip/shared/schemas';
import { waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryOf, PEER, peerMessage, startTestBridge, type TestBridge, VHOST } from './bridge-harness.ts';
import { type Example, officialExamples } from './fixtures.ts';

describe('the correlation id across AMQP', () => {
  let t: TestBridge;
  const bus = createMemoryBus();
  const inbound: BusMessage[] = [];
  const example = () => officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
  const received = () => peerMessage('RS-SR', example().content);
  const deliver = (body: unknown, properties: { correlationId?: string }) =>
    t.bridge.onDelivery(VHOST, deliveryOf('message', JSON.stringify(body), properties));

  beforeAll(async () => {
    await bus.subscribe({
      subject: HUB_SUBJECTS.inbound('RS-SR'),
      durable: 'test-correlation',
      handler: async (m) => {
        inbound.push(m);
      },
    });
    t = await startTestBridge({ bus });
  }, 60_000);
  afterAll(async () => {
    await bus.close();
    await t?.database.drop();
  });

  const inboundOf = (distributionId: string) =>
    waitFor(() =>
      inbound.find((m) => m.json<{ distributionId: string }>().distributionId === distributionId),
    );

  it("carries the delivery's correlationId onto our bus and into the RC-REF answering it", async () => {
    const edxl = received();
    await deliver(edxl, { correlationId: 'corr-from-the-sender' });
    expect((await inboundOf(edxl.distributionID)).headers[BUS_CORRELATION_HEADER]).toBe(
      'corr-from-the-sender',
    );
    expect(t.published.at(-1)?.correlationId).toBe('corr-from-the-sender');
  });

  it('uses the distributionID when the delivery has no correlationId', async () => {
    const edxl = received();
    await deliver(edxl, {});
    expect((await inboundOf(edxl.distributionID)).headers[BUS_CORRELATION_HEADER]).toBe(edxl.distributionID);
    expect(t.published.at(-1)?.correlationId).toBe(edxl.distributionID);
  });

  it('sends a message with the correlation id of the request that asked for it', async () => {
    const row = await withCorrelation('corr-of-the-request', () =>
      t.bridge.send({ recipient: PEER, type: 'RS-SR', content: example().content }),
    );
    const sent = t.published.find((m) => m.messageId === row.distributionId);
    expect(sent?.correlationId).toBe('corr-of-the-request');
  });
});
