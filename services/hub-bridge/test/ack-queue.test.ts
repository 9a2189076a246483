import { randomUUID } from 'node:crypto';
import { type Bus, createMemoryBus } from '@hip/shared';
import { HUB_SUBJECTS } from '@hip/shared/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deliveryOf,
  PEER,
  peerMessage,
  sentRow,
  startTestBridge,
  type TestBridge,
  US,
  VHOST,
} from './bridge-harness.ts';

const message = (type: string, content: unknown) => peerMessage(type, content, { kind: 'Ack' });

describe('the acknowledgement queue (.ack)', () => {
  let t: TestBridge;
  const published: { subject: string; msgId: string | undefined }[] = [];
  const deliver = (body: unknown) => t.bridge.onDelivery(VHOST, deliveryOf('ack', JSON.stringify(body)));
  const sent = () => sentRow(t.store);
  const lastReport = () => t.lastSent();

  beforeAll(async () => {
    const memory = createMemoryBus();
    const bus: Bus = Object.assign(Object.create(memory), {
      publish: (...args: Parameters<Bus['publish']>) => {
        published.push({ subject: args[0], msgId: args[2]?.msgId });
        return memory.publish(...args);
      },
    });
    t = await startTestBridge({ bus });
  }, 60_000);
  afterAll(() => t?.database.drop());

  it('acknowledges a sent message once, whatever number of RC-REFs come for it', async () => {
    const id = await sent();
    const first = message('RC-REF', { distributionID: id });
    const second = message('RC-REF', { distributionID: id });
    await deliver(first);
    await deliver(first); // redelivered by the broker
    await deliver(second); // the recipient answered a redelivery of ours
    const row = await t.store.get(id);
    expect(row).toMatchObject({ state: 'acknowledged', ackDistributionId: first.distributionID });
    expect(row?.history.at(-1)?.detail).toContain(`RC-REF ${second.distributionID} from ${PEER} ignored`);
    const events = published.filter(
      (p) => p.subject === HUB_SUBJECTS.acknowledged && p.msgId === `ack_${id}`,
    );
    // The redelivered RC-REF publishes again under the same id (dropped by the bus), the other not at all.
    expect(events).toHaveLength(2);
    expect(
      published.filter((p) => p.subject === HUB_SUBJECTS.acknowledged && p.msgId !== `ack_${id}`),
    ).toEqual([]);
  });

  it('parks an RC-REF the schemas refuse, leaving the message it references as it was', async () => {
    const id = await sent();
    const bad = message('RC-REF', { distributionID: id, refused: 'yes' }) as Partial<
      ReturnType<typeof message>
    >;
    delete bad.dateTimeSent;
    await deliver(bad);
    expect(await t.store.get(id)).toMatchObject({ state: 'confirmed', ackDistributionId: null });
    expect(await t.store.get(bad.distributionID as string)).toMatchObject({
      state: 'parked',
      errorCode: 300,
    });
    expect(lastReport().content).toMatchObject({
      errorCode: { statusCode: 300 },
      referencedDistributionID: bad.distributionID,
    });
  });

  it('parks an RC-REF for a message we never sent with 702, the sender told', async () => {
    const ref = message('RC-REF', { distributionID: `${US}_${randomUUID()}` });
    await deliver(ref);
    expect(await t.store.get(ref.distributionID)).toMatchObject({
      state: 'parked',
      errorCode: 702,
      type: 'RC-REF',
    });
    expect(lastReport().content).toMatchObject({
      errorCode: { statusCode: 702 },
      referencedDistributionID: ref.distributionID,
    });
  });

  it('parks another type that came on the acknowledgement queue, the sender told', async () => {
    const misplaced = message('TECHNICAL_NOREQ', {});
    await deliver(misplaced);
    const row = await t.store.get(misplaced.distributionID);
    expect(row).toMatchObject({ state: 'parked', errorCode: 300 });
    expect(row?.errorCause).toContain('only RC-REF');
    expect(lastReport().content).toMatchObject({ referencedDistributionID: misplaced.distributionID });
  });
});
