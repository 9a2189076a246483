import type { Logger, RunningSimulators } from '@hip/shared';
import { listen } from '@hip/shared/node';
import { createLrmSimulatorApp } from './lrm.ts';
import { startPscSimulator } from './psc.ts';
import { createSasSimulatorApp } from './sas.ts';

export const SIM_ORIGIN = 'samu44-lrm-demo';
export const SIM_PSC_CLIENT = {
  clientId: 'sas-redirect-demo',
  clientSecret: 'demo-secret-for-the-psc-simulator',
};
const SIM_SAS_KEY = 'demo-sas-context-api-key';
const SIM_OFFER_KEY = 'demo-offer-api-key';
const SIM_LRM_KEY = 'demo-lrm-api-key-0123456789';

/**
 * PSC (auth host and wallet host), the SAS platform and an LRM page on localhost (ports 9130-9133), with the
 * variables that point the service at them, so a person can click through the whole flow.
 */
export async function startSimulators(options: {
  logger: Logger;
  servicePort: number;
  ports?: { psc: number; sas: number; lrm: number; pscWallet?: number };
}): Promise<RunningSimulators> {
  const ports = options.ports ?? { psc: 9130, sas: 9131, lrm: 9132, pscWallet: 9133 };
  const serviceUrl = `http://localhost:${options.servicePort}`;
  const psc = await startPscSimulator({
    port: ports.psc,
    walletPort: ports.pscWallet ?? 0,
    clients: [
      {
        ...SIM_PSC_CLIENT,
        redirectUris: [`${serviceUrl}/auth/callback`],
        postLogoutRedirectUris: [`${serviceUrl}/`],
      },
    ],
  });
  const sas = await listen(
    createSasSimulatorApp({
      activeOrigins: [SIM_ORIGIN],
      contextApi: { baseUrl: serviceUrl, apiKey: SIM_SAS_KEY },
      offerApiKey: SIM_OFFER_KEY,
    }),
    ports.sas,
    '127.0.0.1',
  );
  const lrm = await listen(
    createLrmSimulatorApp({ serviceUrl, origin: SIM_ORIGIN, apiKey: SIM_LRM_KEY }),
    ports.lrm,
    '127.0.0.1',
  );
  const sasUrl = `http://localhost:${sas.port}`;
  options.logger.info(
    { psc: psc.issuer, sas: sasUrl, lrm: `http://localhost:${lrm.port}` },
    'simulators started',
  );
  return {
    env: {
      PUBLIC_BASE_URL: serviceUrl,
      SAS_BASE_URL: sasUrl,
      LRM_ORIGINS: SIM_ORIGIN,
      SAS_CONTEXT_API_KEY: SIM_SAS_KEY,
      LRM_API_KEY: SIM_LRM_KEY,
      PSC_ISSUER: psc.issuer,
      PSC_CLIENT_ID: SIM_PSC_CLIENT.clientId,
      PSC_CLIENT_SECRET: SIM_PSC_CLIENT.clientSecret,
      PSC_ALLOW_HTTP: 'true',
      OFFER_API_URL: sasUrl,
      OFFER_API_KEY: SIM_OFFER_KEY,
    },
    links: [
      { label: 'LRM simulator (start here: search buttons)', url: `http://localhost:${lrm.port}/` },
      {
        label: 'Pro Santé Connect simulator (discovery)',
        url: `${psc.issuer}/.well-known/wallet-openid-configuration`,
      },
      { label: 'SAS platform simulator', url: `${sasUrl}/` },
    ],
    async stop() {
      await lrm.close();
      await sas.close();
      await psc.close();
    },
  };
}
