import { makeVisits } from './catalogue.ts';
import { startVetelevageSimulator } from './server.ts';

/**
 * The Vétélevage simulator for `pnpm start`: two veterinarian-mode accounts and one SaaS editor
 * with two linked accounts, each with a few visits waiting; the service links them at start
 * (VET_BOOTSTRAP) and imports them on its schedule. New visits: POST /_sim/accounts/<id>/visits.
 */
export async function startDemoSimulator(env: Record<string, string | undefined>, defaultPort = 9140) {
  const port = env.VETELEVAGE_SIM_PORT ? Number(env.VETELEVAGE_SIM_PORT) : defaultPort;
  const running = await startVetelevageSimulator({ port });
  const { sim, url } = running;
  sim.addEditor('demo-editeur', 'demo-editeur-secret');
  sim.addAccount('cabinet-des-pres', { login: 'pres', password: 'pres-demo' });
  sim.addAccount('clinique-du-bocage', { login: 'bocage', password: 'bocage-demo' });
  sim.addAccount('saas-vallee', { login: 'vallee', password: 'unused', editor: 'demo-editeur' });
  sim.addAccount('saas-plateau', { login: 'plateau', password: 'unused', editor: 'demo-editeur' });
  for (const account of ['cabinet-des-pres', 'clinique-du-bocage', 'saas-vallee', 'saas-plateau'])
    sim.addVisits(account, makeVisits(account, 5, { seed: `demo-${account}` }));
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  return {
    env: {
      VETELEVAGE_URL: url,
      VETELEVAGE_WEB_URL: url,
      // A per-run key: the demo re-links its accounts at every start.
      VET_SECRETS_KEY: key,
      VET_IMPORT_INTERVAL_MS: '15000',
      VET_BOOTSTRAP: JSON.stringify({
        editors: [{ id: 'demo-editeur', secret: 'demo-editeur-secret' }],
        accounts: [
          {
            id: 'cabinet-des-pres',
            mode: 'veterinaire',
            login: 'pres',
            password: 'pres-demo',
            editor: 'demo-editeur',
            label: 'Cabinet des Prés',
          },
          {
            id: 'clinique-du-bocage',
            mode: 'veterinaire',
            login: 'bocage',
            password: 'bocage-demo',
            label: 'Clinique du Bocage',
          },
          { id: 'saas-vallee', mode: 'saas', editor: 'demo-editeur', label: 'Vétos de la Vallée (SaaS)' },
          { id: 'saas-plateau', mode: 'saas', editor: 'demo-editeur', label: 'Cabinet du Plateau (SaaS)' },
        ],
      }),
    },
    links: [{ label: 'Vétélevage simulator (state: GET /_sim)', url: `${url}/_sim` }],
    stop: () => running.close(),
  };
}
