import { silentLogger } from '@hip/shared';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../test/self-signed.ts';
import { configSchema } from '../config.ts';
import { CertificateError, createHubConnections } from './hub-connections.ts';

const certFiles = (cn: string, org: string) => selfSignedCertificate(`/O=${org}/CN=${cn}`);

const config = (env: Record<string, string>) =>
  configSchema.parse({
    HUB_AMQP_URL: 'amqps://hub.test:5671',
    HUB_CLIENT_ID: 'fr.health.samu770',
    HUB_VHOSTS: '15-15_v1.5,15-nexsis_v1.8',
    ...env,
  });

describe('Hub connections at start', () => {
  it('opens one connection per configured vHost with SASL EXTERNAL and the client certificate', () => {
    const { cert, key } = certFiles('fr.health.samu770', 'IGC-SANTE TEST');
    const connections = createHubConnections(
      config({ HUB_TLS_CERT_FILE: cert, HUB_TLS_KEY_FILE: key }),
      silentLogger,
    );
    expect([...connections.keys()]).toEqual(['15-15_v1.5', '15-nexsis_v1.8']);
    const options = connections.get('15-15_v1.5')?.options;
    expect(options?.auth).toBe('external');
    expect(options?.tls?.cert).toBeInstanceOf(Buffer);
    expect(options?.tls?.key).toBeInstanceOf(Buffer);
  });

  it('refuses to start with a certificate whose CN is another client id, naming both', () => {
    const { cert, key } = certFiles('fr.health.samu999', 'IGC-SANTE TEST');
    expect(() =>
      createHubConnections(config({ HUB_TLS_CERT_FILE: cert, HUB_TLS_KEY_FILE: key }), silentLogger),
    ).toThrow(/CN is "fr.health.samu999" but HUB_CLIENT_ID is "fr.health.samu770"/);
  });

  it('refuses to start with an expired certificate', () => {
    const { cert, key } = certFiles('fr.health.samu770', 'IGC-SANTE TEST');
    const later = new Date(Date.now() + 5 * 86_400_000);
    expect(() =>
      createHubConnections(config({ HUB_TLS_CERT_FILE: cert, HUB_TLS_KEY_FILE: key }), silentLogger, later),
    ).toThrow(/expired/);
  });

  it('refuses SASL EXTERNAL without a certificate', () => {
    expect(() => createHubConnections(config({}), silentLogger)).toThrow(CertificateError);
  });

  it('stays idle (no connection) when HUB_AMQP_URL is unset', () => {
    expect(createHubConnections(configSchema.parse({}), silentLogger).size).toBe(0);
  });
});
