import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { silentLogger } from '@hip/shared';
import { waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config.ts';
import { createHubConnections } from './hub-connections.ts';

const CLIENT_ID = 'fr.health.samu770';

/** A test PKI: a CA standing for IGC Santé, a server certificate for 127.0.0.1, our client certificate. */
function testPki() {
  const dir = mkdtempSync(join(tmpdir(), 'hub-pki-'));
  const p = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/O=IGC-SANTE TEST/CN=AC IGC-SANTE TEST',
  );
  const issue = (name: string, subject: string, extensions: string) => {
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.csr`),
      '-subj',
      subject,
    );
    writeFileSync(p(`${name}.ext`), extensions);
    openssl(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.pem'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-out',
      p(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      p(`${name}.ext`),
    );
  };
  issue('server', '/CN=hub.test', 'subjectAltName=IP:127.0.0.1\n');
  issue('client', `/O=IGC-SANTE TEST/CN=${CLIENT_ID}`, 'extendedKeyUsage=clientAuth\n');
  return {
    ca: p('ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
  };
}

/** The AMQP 0-9-1 Connection.Start method frame offering the given SASL mechanisms. */
function connectionStart(mechanisms: string): Buffer {
  const longstr = (s: string) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(Buffer.byteLength(s));
    return Buffer.concat([b, Buffer.from(s)]);
  };
  const payload = Buffer.concat([
    Buffer.from([0, 10, 0, 10, 0, 9]), // class 10 connection, method 10 start, version 0-9
    Buffer.from([0, 0, 0, 0]), // empty server-properties table
    longstr(mechanisms),
    longstr('en_US'),
  ]);
  const header = Buffer.alloc(7);
  header.writeUInt8(1, 0); // method frame
  header.writeUInt16BE(0, 1);
  header.writeUInt32BE(payload.length, 3);
  return Buffer.concat([header, payload, Buffer.from([0xce])]);
}

/** The SASL mechanism in a Connection.Start-Ok frame. */
function startOkMechanism(frame: Buffer): string | undefined {
  if (frame.length < 11 || frame.readUInt16BE(7) !== 10 || frame.readUInt16BE(9) !== 11) return undefined;
  const tableEnd = 11 + 4 + frame.readUInt32BE(11);
  return frame.subarray(tableEnd + 1, tableEnd + 1 + frame.readUInt8(tableEnd)).toString();
}

interface Seen {
  authorized: boolean;
  peerCn: string | undefined;
  mechanism: string | undefined;
}

describe('Hub connection over TLS with the client certificate (SASL EXTERNAL)', () => {
  const pki = testPki();
  const seen: Seen[] = [];
  // Plays the Hub's TLS listener: requires a client certificate from the trusted CA, then
  // starts the AMQP handshake offering EXTERNAL and reads which mechanism the client chose.
  const server = createServer(
    {
      cert: readFileSync(pki.serverCert),
      key: readFileSync(pki.serverKey),
      ca: readFileSync(pki.ca),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (socket: TLSSocket) => {
      const peer = socket.getPeerCertificate();
      const entry: Seen = {
        authorized: socket.authorized,
        peerCn: [peer.subject?.CN].flat()[0],
        mechanism: undefined,
      };
      seen.push(entry);
      let buffered = Buffer.alloc(0);
      let started = false;
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (!started && buffered.length >= 8) {
          expect(buffered.subarray(0, 8)).toEqual(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
          buffered = buffered.subarray(8);
          started = true;
          socket.write(connectionStart('EXTERNAL'));
        }
        if (started && buffered.length >= 7 && buffered.length >= 8 + buffered.readUInt32BE(3)) {
          entry.mechanism = startOkMechanism(buffered);
          socket.destroy();
        }
      });
      socket.on('error', () => {});
    },
  );
  server.on('tlsClientError', () => {});
  let port = 0;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('presents the client certificate to the Hub, trusts it by the configured CA and authenticates with EXTERNAL', async () => {
    const config = configSchema.parse({
      HUB_AMQP_URL: `amqps://127.0.0.1:${port}`,
      HUB_CLIENT_ID: CLIENT_ID,
      HUB_VHOSTS: '15-15_v1.5',
      HUB_AUTH: 'external',
      HUB_TLS_CERT_FILE: pki.clientCert,
      HUB_TLS_KEY_FILE: pki.clientKey,
      HUB_TLS_CA_FILE: pki.ca,
      HUB_RECONNECT_INITIAL_MS: '5000',
    });
    const connection = createHubConnections(config, silentLogger).get('15-15_v1.5');
    if (!connection) throw new Error('no connection for the vhost');
    connection.start(async () => {});
    try {
      const entry = await waitFor(() => seen.find((s) => s.mechanism !== undefined));
      expect(entry).toEqual({ authorized: true, peerCn: CLIENT_ID, mechanism: 'EXTERNAL' });
    } finally {
      await connection.close();
    }
  });

  it('does not get through a Hub that does not trust its certificate (no client certificate: TLS refused)', async () => {
    const before = seen.length;
    const config = configSchema.parse({
      HUB_AMQP_URL: `amqps://127.0.0.1:${port}`,
      HUB_CLIENT_ID: CLIENT_ID,
      HUB_AUTH: 'plain',
      HUB_TLS_CA_FILE: pki.ca,
      HUB_RECONNECT_INITIAL_MS: '5000',
    });
    const connection = createHubConnections(config, silentLogger).get('15-15_v1.5');
    if (!connection) throw new Error('no connection for the vhost');
    connection.start(async () => {});
    try {
      await waitFor(() => connection.lastError);
      expect(connection.connected).toBe(false);
      expect(seen.length).toBe(before);
    } finally {
      await connection.close();
    }
  });
});
