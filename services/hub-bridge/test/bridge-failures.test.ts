import { createHash, randomUUID } from 'node:crypto';
import { type Bus, createMemoryBus } from '@hip/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceStoreError } from '../src/db/trace-store.ts';
import {
  deliveryOf,
  peerMessage as message,
  PEER,
  recordingLogger,
  sentRow,
  startTestBridge,
  type TestBridge,
  US,
  VHOST,
} from './bridge-harness.ts';
import { type Example, officialExamples } from './fixtures.ts';

describe('a received message whose processing keeps failing', () => {
  let t: TestBridge;
  let busDown = true;

  beforeAll(async () => {
    const memory = createMemoryBus();
    // Our bus, unavailable until the test says otherwise.
    const bus: Bus = Object.assign(Object.create(memory), {
      publish: (...args: Parameters<Bus['publish']>) =>
        busDown ? Promise.reject(new Error('bus unavailable')) : memory.publish(...args),
    });
    t = await startTestBridge({ bus });
  }, 60_000);
  afterAll(() => t?.database.drop());

  it('is requeued a few times, then parked with 700 and the error, the sender told; a retry delivers it', async () => {
    const example = officialExamples().find((e) => e.type === 'RS-SR' && e.format === 'json') as Example;
    const edxl = message('RS-SR', example.content);
    const delivery = deliveryOf('message', JSON.stringify(edxl));
    for (let i = 0; i < 4; i++)
      await expect(t.bridge.onDelivery(VHOST, delivery)).rejects.toThrow('bus unavailable');
    await t.bridge.onDelivery(VHOST, delivery); // acked: parked, not lost
    const parked = await t.store.get(edxl.distributionID);
    expect(parked).toMatchObject({ state: 'parked', errorCode: 700 });
    expect(parked?.errorCause).toContain('processing failed 5 times: bus unavailable');
    const report = t.lastSent();
    expect(report).toMatchObject({ type: { type: 'RS-ERROR' }, recipientId: 'fr.health.samu770' });
    expect(report.content).toMatchObject({
      errorCode: { statusCode: 700, statusString: 'INTERNAL_CLIENT_ERROR' },
      referencedDistributionID: edxl.distributionID,
    });
    busDown = false;
    expect(await t.bridge.retry(edxl.distributionID)).toMatchObject({ state: 'delivered' });
    expect(t.lastSent().type?.type).toBe('RC-REF');
  });

  it('parks an RC-REF on .ack after a few failed attempts, the sender told with a 700', async () => {
    busDown = true;
    const referenced = await sentRow(t.store);
    const ack = message('RC-REF', { distributionID: referenced });
    const delivery = deliveryOf('ack', JSON.stringify(ack));
    for (let i = 0; i < 4; i++)
      await expect(t.bridge.onDelivery(VHOST, delivery)).rejects.toThrow('bus unavailable');
    const before = t.published.length;
    await t.bridge.onDelivery(VHOST, delivery);
    const parked = await t.store.get(ack.distributionID);
    expect(parked).toMatchObject({ state: 'parked', errorCode: 700, type: 'RC-REF' });
    expect(parked?.errorCause).toContain('processing failed 5 times: bus unavailable (on .ack)');
    expect(t.published.length - before).toBe(1);
    expect(t.lastSent().content).toMatchObject({
      errorCode: { statusCode: 700 },
      referencedDistributionID: ack.distributionID,
    });
    // Retried as the RC-REF it is (from .ack), not as a business message to answer.
    busDown = false;
    const beforeRetry = t.published.length;
    const retried = await t.bridge.retry(ack.distributionID);
    expect(retried).toMatchObject({ state: 'delivered' });
    expect(retried.history.at(-1)?.detail).toBe('re-processed from .ack');
    expect(t.published.length).toBe(beforeRetry);
    expect(await t.store.get(referenced)).toMatchObject({
      state: 'acknowledged',
      ackDistributionId: ack.distributionID,
    });
  });

  it('parks a report on .info after a few failed attempts, without answering it', async () => {
    busDown = true;
    const referenced = await sentRow(t.store);
    const report = message('RS-ERROR', {
      errorCode: { statusCode: 300, statusString: 'INVALID_MESSAGE' },
      errorCause: 'schema',
      referencedDistributionID: referenced,
    });
    const delivery = deliveryOf('info', JSON.stringify(report));
    for (let i = 0; i < 4; i++)
      await expect(t.bridge.onDelivery(VHOST, delivery)).rejects.toThrow('bus unavailable');
    const before = t.published.length;
    await t.bridge.onDelivery(VHOST, delivery);
    const parked = await t.store.get(report.distributionID);
    expect(parked).toMatchObject({ state: 'parked', errorCode: 700 });
    expect(parked?.errorCause).toContain('(on .info)');
    expect(t.published.length).toBe(before);
  });
});

describe('a received delivery the trace could not store as it came', () => {
  let t: TestBridge;
  const logs: string[] = [];
  // Stands for patient data in the bodies: it must never reach a log line.
  const secret = `Dupont-${randomUUID()}`;

  beforeAll(async () => {
    t = await startTestBridge({ logger: recordingLogger(logs) });
  }, 60_000);
  afterAll(() => t?.database.drop());

  it('parks a message with a NUL character in a key on the first delivery, the sender told once', async () => {
    const edxl = message('RS-SR', { 'bad\u0000key': secret });
    const before = t.published.length;
    await t.bridge.onDelivery(VHOST, deliveryOf('message', JSON.stringify(edxl)));
    const parked = await t.store.get(edxl.distributionID);
    expect(parked).toMatchObject({ state: 'parked', errorCode: 300 });
    expect(parked?.errorCause).toContain('bad\uFFFDkey');
    expect(t.published.length - before).toBe(1);
    expect(t.lastSent().content).toMatchObject({
      errorCode: { statusCode: 300 },
      referencedDistributionID: edxl.distributionID,
    });
    // Redelivered (a crash before the ack): the sender is not told twice.
    await t.bridge.onDelivery(VHOST, deliveryOf('message', JSON.stringify(edxl)));
    expect(t.published.length - before).toBe(1);
    expect(logs.filter((line) => line.includes(secret))).toEqual([]);
  });

  it('parks a body with a raw NUL character on the first delivery, kept with U+FFFD in its place', async () => {
    const body = `{"note":"\u0000${secret}"}`;
    await t.bridge.onDelivery(VHOST, deliveryOf('message', body));
    const id = `unreadable_${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
    const parked = await t.store.get(id);
    expect(parked).toMatchObject({ state: 'parked', errorCode: 102, body: `{"note":"\uFFFD${secret}"}` });
    expect(logs.filter((line) => line.includes(secret))).toEqual([]);
  });

  it('records a report whose statusCode is not an integer code on the first delivery, the raw value in its cause', async () => {
    for (const statusCode of [3.5, 99_999_999_999]) {
      const referenced = await sentRow(t.store);
      const report = message('RS-ERROR', {
        errorCode: { statusCode, statusString: 'ODD' },
        errorCause: 'odd report',
        referencedDistributionID: referenced,
      });
      const before = t.published.length;
      await t.bridge.onDelivery(VHOST, deliveryOf('info', JSON.stringify(report)));
      expect(await t.store.get(report.distributionID)).toMatchObject({ state: 'report', errorCode: null });
      const row = await t.store.get(referenced);
      expect(row).toMatchObject({ state: 'error', errorCode: null });
      expect(row?.errorCause).toContain(`statusCode ${statusCode} is not an error code`);
      expect(t.published.length).toBe(before); // a report is never answered
    }
  });

  it('says what failed in the database without the values of the statement', async () => {
    const failing = t.store.insert(
      {
        distributionId: `${US}_${randomUUID()}`,
        direction: 'received',
        type: 'RS-SR',
        kind: 'Report',
        peer: PEER,
        vhost: VHOST,
        format: 'json',
        state: 'report',
        errorCode: 3.5, // what the bridge no longer passes: int4 column
        body: secret,
      },
      { state: 'report' },
      new Date(),
    );
    const error = await failing.then(
      () => new Error('inserted'),
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(TraceStoreError);
    expect(error.message).toContain('22P02');
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('3.5');
  });
});
