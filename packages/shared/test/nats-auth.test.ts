import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus, natsServerOptions } from '../src/node/index.ts';
import { natsServerSandbox } from '../src/testing/nats-servers.ts';
import { freePort } from '../src/testing/ports.ts';
import { describeWithTools } from '../src/testing/servers.ts';
import { waitFor } from '../src/testing/wait.ts';

describe('credentials in NATS_URL', () => {
  it('moves user and password (percent-decoded) out of the server URL', () => {
    expect(natsServerOptions('nats://arcad-sync:p%40ss%3Aw0rd@nats:4222')).toEqual({
      servers: 'nats://nats:4222',
      user: 'arcad-sync',
      pass: 'p@ss:w0rd',
    });
  });
  it('reads a lone user info as a token, and leaves a URL without credentials as it is', () => {
    expect(natsServerOptions('tls://s3cr3t-token@nats.example:4222')).toEqual({
      servers: 'tls://nats.example:4222',
      token: 's3cr3t-token',
    });
    expect(natsServerOptions('nats://127.0.0.1:4222')).toEqual({ servers: 'nats://127.0.0.1:4222' });
  });
});

// The deployment gives each service `nats://<service>:<password>@nats:4222`: a NATS server
// requiring a password (like the Helm values in deploy/k8s/infra/nats) must accept it.
describeWithTools(['nats-server'], 'bus on a NATS server that requires a password', () => {
  const sandbox = natsServerSandbox('nats-auth');
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    sandbox.start(
      `port: ${port}\nhost: 127.0.0.1\njetstream { store_dir: "{dir}/js" }\n` +
        `authorization { users = [ { user: "doc-converter", password: "p@ss:w0rd" } ] }\n`,
    );
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const probe = createServer().once('error', () => resolve(true));
          probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
        }),
      { timeoutMs: 10_000, what: 'nats-server listening' },
    );
  });
  afterAll(() => sandbox.stop());

  it('connects with the credentials of the URL and carries messages', async () => {
    const bus = await createNatsBus({ url: `nats://doc-converter:p%40ss%3Aw0rd@127.0.0.1:${port}` });
    const got: unknown[] = [];
    const sub = await bus.subscribe({
      subject: 'auth.checks.>',
      durable: 'auth-checks',
      handler: async (m) => void got.push(m.json()),
    });
    await bus.publish('auth.checks.sent', { ok: true }, { msgId: 'auth-1' });
    await waitFor(() => got.length === 1, { what: 'message through the authenticated server' });
    expect(got).toEqual([{ ok: true }]);
    await sub.stop();
    await bus.close();
  });

  it('is refused with a wrong password, naming the reason', async () => {
    await expect(createNatsBus({ url: `nats://doc-converter:wrong@127.0.0.1:${port}` })).rejects.toThrow(
      /Authorization Violation/,
    );
  });
});
