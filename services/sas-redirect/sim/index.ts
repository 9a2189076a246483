import type { Logger, RunningSimulators } from '@hip/shared';
import { listen } from '@hip/shared/node';
import type { HubLink } from './appointments.ts';
import { createLrmSimulatorApp } from './lrm.ts';
import { DEFAULT_PSC_ACCOUNTS, startPscSimulator } from './psc.ts';
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
  /** The SAS platform's Hub client (from hub-bridge's simulators): booked appointments go through it. */
  hub?: HubLink;
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
      ...(options.hub ? { hub: options.hub } : {}),
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
    {
      psc: psc.issuer,
      sas: sasUrl,
      lrm: `http://localhost:${lrm.port}`,
      hub: options.hub?.bridgeUrl ?? null,
    },
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
      // A per-run key, as a deployment sets one: tokens of the demo need not outlive it.
      CONTEXT_TOKEN_SECRET: btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
      OFFER_API_URL: sasUrl,
      OFFER_API_KEY: SIM_OFFER_KEY,
    },
    links: [
      { label: 'SAS: LRM simulator (start here: search buttons)', url: `http://localhost:${lrm.port}/` },
      {
        label: 'Pro Santé Connect simulator (discovery)',
        url: `${psc.issuer}/.well-known/wallet-openid-configuration`,
      },
      { label: 'SAS platform simulator (book an appointment)', url: `${sasUrl}/` },
    ],
    credentials: [
      { label: 'LRM origin declared on the SAS simulator', value: SIM_ORIGIN },
      {
        label: 'Pro Santé Connect simulator: demo regulators (click their e-CPS button, no password)',
        value: DEFAULT_PSC_ACCOUNTS.map((a) => `${a.given_name} ${a.family_name} (${a.SubjectNameID})`).join(
          ', ',
        ),
      },
      {
        label: 'LRM API key (Authorization: Bearer, for POST /contexts, /appointments, /offer)',
        value: SIM_LRM_KEY,
      },
      { label: 'SAS context API key (the SAS redeems GET /contexts/:token with it)', value: SIM_SAS_KEY },
      { label: 'SAS offer API key (sas-redirect calls the offer API with it)', value: SIM_OFFER_KEY },
      {
        label: 'PSC client of sas-redirect (client_secret_basic)',
        value: `${SIM_PSC_CLIENT.clientId} / ${SIM_PSC_CLIENT.clientSecret}`,
      },
    ],
    async stop() {
      await lrm.close();
      await sas.close();
      await psc.close();
    },
  };
}
