import { readFileSync } from 'node:fs';
import type { Logger } from '@hip/shared';
import type { HubBridgeConfig } from '../config.ts';
import { HubConnection, QUEUE_KINDS, type TlsOptions } from './amqp-connection.ts';
import { checkClientCertificate } from './certificate.ts';
import { isMemoryHubUrl } from './memory-hub.ts';

/** Raised at start when the client certificate would be refused by the Hub. */
export class CertificateError extends Error {
  override name = 'CertificateError';
}

function readTls(config: HubBridgeConfig, logger: Logger, now: Date): TlsOptions | undefined {
  // The trust store serves plain logins over TLS too.
  const ca = config.HUB_TLS_CA_FILE ? { ca: [readFileSync(config.HUB_TLS_CA_FILE)] } : {};
  if (!config.HUB_TLS_CERT_FILE) {
    if (config.HUB_AUTH === 'external') {
      throw new CertificateError(
        'HUB_AUTH=external needs HUB_TLS_CERT_FILE and HUB_TLS_KEY_FILE (the IGC Santé client certificate)',
      );
    }
    return config.HUB_TLS_CA_FILE ? ca : undefined;
  }
  const cert = readFileSync(config.HUB_TLS_CERT_FILE);
  const check = checkClientCertificate({
    certificatePem: cert,
    clientId: config.HUB_CLIENT_ID,
    now,
    issuerPattern: new RegExp(config.HUB_CERT_ISSUER_PATTERN, 'i'),
  });
  if (check.problems.length > 0) {
    throw new CertificateError(
      `client certificate ${config.HUB_TLS_CERT_FILE} refused: ${check.problems.join('; ')}`,
    );
  }
  const daysLeft = Math.floor((check.validTo.getTime() - now.getTime()) / 86_400_000);
  if (daysLeft < 30) logger.warn({ validTo: check.validTo, daysLeft }, 'client certificate expires soon');
  return {
    cert,
    ...(config.HUB_TLS_KEY_FILE ? { key: readFileSync(config.HUB_TLS_KEY_FILE) } : {}),
    ...(config.HUB_TLS_KEY_PASSPHRASE ? { passphrase: config.HUB_TLS_KEY_PASSPHRASE } : {}),
    ...ca,
  };
}

/** One connection per configured vHost, or none when HUB_AMQP_URL is unset (idle). */
export function createHubConnections(
  config: HubBridgeConfig,
  logger: Logger,
  now = new Date(),
): Map<string, HubConnection> {
  const connections = new Map<string, HubConnection>();
  if (!config.HUB_AMQP_URL) return connections;
  // An in-process hub has no TLS nor login: nothing to present to it.
  const tls = isMemoryHubUrl(config.HUB_AMQP_URL) ? undefined : readTls(config, logger, now);
  for (const vhost of config.HUB_VHOSTS) {
    connections.set(
      vhost,
      new HubConnection({
        url: config.HUB_AMQP_URL,
        vhost,
        clientId: config.HUB_CLIENT_ID,
        auth: config.HUB_AUTH,
        ...(tls ? { tls } : {}),
        prefetch: config.HUB_PREFETCH,
        reconnectInitialMs: config.HUB_RECONNECT_INITIAL_MS,
        reconnectMaxMs: config.HUB_RECONNECT_MAX_MS,
        consume: QUEUE_KINDS,
        logger,
      }),
    );
  }
  return connections;
}
