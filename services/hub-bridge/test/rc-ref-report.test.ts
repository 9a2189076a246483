import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage } from '../src/adapters/amqp-connection.ts';
import { summarize } from '../src/domain/envelope.ts';
import { deliveryOf, peerMessage, startTestBridge, type TestBridge, VHOST } from './bridge-harness.ts';
import { type Example, officialExamples } from './fixtures.ts';

describe('a Hub report about our RC-REF', () => {
  let t: TestBridge;
  /** The Hub's answer to an RC-REF, delivered on .info while the RC-REF's confirm is awaited. */
  let reportOnPublish: ((rcRef: OutgoingMessage) => Promise<void>) | undefined;

  beforeAll(async () => {
    t = await startTestBridge({ onPublish: (message) => reportOnPublish?.(message) ?? Promise.resolve() });
  }, 60_000);
  afterAll(() => t?.database.drop());

  it('is shown on the received message even when it comes back before the RC-REF is confirmed', async () => {
    const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
    const incoming = peerMessage('RS-SR', example.content);
    reportOnPublish = async (rcRef) => {
      reportOnPublish = undefined;
      const report = peerMessage('RS-ERROR', {
        errorCode: { statusCode: 501, statusString: 'UNKNOWN_RECIPIENT' },
        errorCause: 'no queue for the sender',
        referencedDistributionID: summarize(JSON.parse(rcRef.body)).distributionId,
      });
      await t.bridge.onDelivery(VHOST, deliveryOf('info', JSON.stringify(report)));
    };
    await t.bridge.onDelivery(VHOST, deliveryOf('message', JSON.stringify(incoming)));
    const row = await t.store.get(incoming.distributionID);
    expect(row).toMatchObject({ state: 'delivered', errorCode: 501 });
    expect(row?.errorCause).toBe('RC-REF not delivered: no queue for the sender');
    expect(row?.history.map((h) => h.state)).toEqual(['received', 'received', 'delivered']);
  });
});
