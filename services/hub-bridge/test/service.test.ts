import { HUB_SUBJECTS, type HubOutboundRejected } from '@hip/shared/schemas';
import { freshDatabase, startServiceForTest, testBus, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubBridge } from '../src/service.ts';
import { selfSignedCertificate } from './self-signed.ts';

describe('hub-bridge without a Hub (HUB_AMQP_URL unset, as with SIMULATORS=false)', () => {
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    svc = await startServiceForTest(hubBridge, {
      env: { HUB_OUTBOUND_MAX_DELIVER: '2', HUB_OUTBOUND_BACKOFF_MS: '10' },
    });
  }, 120_000);
  afterAll(() => svc.stop());

  it('is idle: /readyz answers 200 "idle" with the reason, its database and bus checked', async () => {
    expect((await svc.request('/healthz')).status).toBe(200);
    const ready = await svc.request('/readyz');
    expect(ready.status).toBe(200);
    const body = await ready.json();
    expect(body).toMatchObject({
      status: 'idle',
      reason: expect.stringContaining('HUB_AMQP_URL not set'),
      checks: { database: { ok: true }, bus: { ok: true } },
    });
    expect(Object.keys(body.checks).sort()).toEqual(['bus', 'database']);
  });

  it('says on its admin page that it is idle', async () => {
    const page = await (await svc.request('/')).text();
    expect(page).toContain('hub-bridge is idle');
  });

  it('says that nothing was sent or received yet rather than show empty tables', async () => {
    const page = await (await svc.request('/')).text();
    expect(page).toContain('Nothing sent yet');
    expect(page).toContain('Nothing received yet');
  });

  it('answers 503 to a send while idle instead of accepting a message it cannot deliver', async () => {
    const res = await svc.request('/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: 'fr.health.samu920', type: 'RS-SR', content: {} }),
    });
    expect(res.status).toBe(503);
    expect((await res.json()).detail).toContain('idle');
  });

  it('refuses a malformed send request with the bad field path', async () => {
    const res = await svc.request('/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: 'not-an-id', type: 'RS-SR', content: {} }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].path).toBe('/recipient');
  });

  it('publishes its OpenAPI document with the message routes', async () => {
    const doc = await (await svc.request('/openapi.json')).json();
    expect(doc.info.title).toBe('hub-bridge');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/messages', '/messages/{distributionId}']),
    );
  });

  it('answers a hub.outbound request that is not JSON or not a request at once, under its message id', async () => {
    const rejected: HubOutboundRejected[] = [];
    const subscription = await svc.bus.subscribe({
      subject: HUB_SUBJECTS.outboundRejected,
      durable: 'test-rejected-idle',
      handler: async (m) => {
        rejected.push(m.json<HubOutboundRejected>());
      },
    });
    try {
      const notJson = `garbled-${Date.now()}`;
      await svc.bus.publish(HUB_SUBJECTS.outbound, '{"recipient": "fr.health', { msgId: notJson });
      const invalid = `invalid-${Date.now()}`;
      await svc.bus.publish(
        HUB_SUBJECTS.outbound,
        { recipient: 'nobody', type: 'RS-SR' },
        { msgId: invalid },
      );
      expect(await waitFor(() => rejected.find((r) => r.reference === notJson))).toMatchObject({
        code: 102,
        recipient: '',
      });
      const refused = await waitFor(() => rejected.find((r) => r.reference === invalid));
      expect(refused).toMatchObject({ code: 300, recipient: 'nobody', type: 'RS-SR' });
      expect(refused.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['/recipient', '/content']));
    } finally {
      await subscription.stop();
    }
  });

  it('parks a hub.outbound request the bus gave up on as failed, with its cause, visible and retryable', async () => {
    const msgId = `req-${Date.now()}`;
    await svc.bus.publish(
      HUB_SUBJECTS.outbound,
      { recipient: 'fr.health.samu920', type: 'RS-SR', content: {} },
      { msgId },
    );
    const row = await waitFor(
      async () => {
        const res = await svc.request(`/messages/failed_${msgId}`);
        return res.status === 200 ? res.json() : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(row).toMatchObject({
      direction: 'sent',
      state: 'failed',
      peer: 'fr.health.samu920',
      type: 'RS-SR',
    });
    expect(row.errorCause).toContain('idle');
    const retried = await svc.request(`/messages/failed_${msgId}/retry`, { method: 'POST' });
    expect(retried.status).toBe(503);
  });
});

describe('hub-bridge start with a client certificate the Hub would refuse', () => {
  const selfSigned = (subject: string) => {
    const { cert, key } = selfSignedCertificate(subject);
    return { HUB_TLS_CERT_FILE: cert, HUB_TLS_KEY_FILE: key };
  };
  const env = {
    HUB_AMQP_URL: 'amqps://hub.test:5671',
    HUB_CLIENT_ID: 'fr.health.samu770',
    HUB_AUTH: 'external',
  };

  /** A start expected to fail: its own database and bus, removed afterwards (the failed start cannot). */
  async function failedStart(startEnv: Record<string, string>): Promise<Error> {
    const database = await freshDatabase();
    const bus = await testBus();
    try {
      const error = await startServiceForTest(hubBridge, { env: startEnv, database, bus }).then(
        () => new Error('started'),
        (e: Error) => e,
      );
      return error;
    } finally {
      await bus.close();
      await database.drop();
    }
  }

  it('does not start, and says the issuer is not IGC Santé and the CN is not the client id', async () => {
    const error = await failedStart({ ...env, ...selfSigned('/O=Some Other CA/CN=fr.health.samu999') });
    expect(error.name).toBe('CertificateError');
    expect(error.message).toMatch(/CN is "fr.health.samu999" but HUB_CLIENT_ID is "fr.health.samu770"/);
    expect(error.message).toMatch(/IGC Santé/);
  });

  it('does not start with SASL EXTERNAL and no certificate, naming the variables to set', async () => {
    expect((await failedStart(env)).message).toMatch(/HUB_TLS_CERT_FILE and HUB_TLS_KEY_FILE/);
  });
});
