import { listen } from '@hip/shared/node';
import { createArcadSimulator } from './arcad.ts';
import { type SimAccount, startOidcSimulator } from './oidc.ts';

export { type ArcadSimulator, createArcadSimulator, type Fault } from './arcad.ts';
export { generateLiviaTenant, type LiviaTenantData } from './livia.ts';

export const SIM_API_TOKEN = 'arcad-simulator-api-token';
export const SIM_CLIENT_ID = 'livia';
export const SIM_CLIENT_SECRET = 'livia-sim-secret';
export const SIM_WEBHOOK_SECRET = 'arcad-simulator-webhook-secret';

/** The simulator's accounts: one privileged (expert), one ordinary, per tenant. */
export const simAccounts = (arcadTenant: string): SimAccount[] => [
  { login: 'expert', password: 'expert', name: 'Thierry Expert', roles: ['expert'], arcadTenant },
  { login: 'agent', password: 'agent', name: 'Alice Agent', roles: ['user'], arcadTenant },
];

/** ARCAD360 REST API and its OpenID provider, each on its own port (0 = any free one). */
export async function startArcadSimulator(options: {
  restPort?: number;
  oidcPort?: number;
  arcadTenant: string;
  redirectUris: string[];
  latencyMs?: number;
  /** More accounts of the OpenID provider, e.g. of a tenant the REST API does not hold. */
  extraAccounts?: SimAccount[];
  /** arcad-sync webhook URLs (`<PUBLIC_URL>/webhooks/arcad360/<tenant>`) the simulator sends its live events to. */
  webhookUrls?: string[];
}) {
  const sim = createArcadSimulator({
    apiToken: SIM_API_TOKEN,
    tenants: [options.arcadTenant],
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
  });
  for (const url of options.webhookUrls ?? [])
    sim.live.subscribe(options.arcadTenant, { url, secret: SIM_WEBHOOK_SECRET });
  const rest = await listen(sim.app, options.restPort ?? 0, '127.0.0.1');
  // Longer than any client's idle keep-alive: a socket closed by the server just as the client
  // reuses it would fail a request for no reason of ARCAD's.
  (rest.server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 65_000;
  const oidc = await startOidcSimulator({
    port: options.oidcPort ?? 0,
    clientId: SIM_CLIENT_ID,
    clientSecret: SIM_CLIENT_SECRET,
    redirectUris: options.redirectUris,
    accounts: [...simAccounts(options.arcadTenant), ...(options.extraAccounts ?? [])],
  });
  const url = `http://127.0.0.1:${rest.port}`;
  return {
    sim,
    url,
    issuer: oidc.issuer,
    /** The variables pointing arcad-sync at this simulator. */
    env: {
      ARCAD_URL: url,
      ARCAD_API_TOKEN: SIM_API_TOKEN,
      ARCAD_OIDC_ISSUER: oidc.issuer,
      ARCAD_OIDC_CLIENT_ID: SIM_CLIENT_ID,
      ARCAD_OIDC_CLIENT_SECRET: SIM_CLIENT_SECRET,
      ARCAD_WEBHOOK_SECRET: SIM_WEBHOOK_SECRET,
    },
    async stop() {
      await rest.close();
      await oidc.close();
    },
  };
}
