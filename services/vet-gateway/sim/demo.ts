import { DEMO_LGCV_CATALOGUE, makeVisits } from './catalogue.ts';
import { startVetelevageSimulator } from './server.ts';

/**
 * The Vétélevage simulator for `pnpm start`: two veterinarian-mode accounts and one SaaS editor
 * with two linked accounts, each with a few visits waiting; the service links them at start
 * (VET_BOOTSTRAP) with the demo LGCV catalogue, and imports them on its schedule. New visits:
 * the page at /_sim, or POST /_sim/accounts/<id>/visits.
 */
/** The demo's made-up Vétélevage credentials (shown on the index page and in the README). */
const DEMO = {
  pres: { login: 'pres', password: 'pres-demo' },
  bocage: { login: 'bocage', password: 'bocage-demo' },
  editor: { id: 'demo-editeur', secret: 'demo-editeur-secret' },
};

export async function startDemoSimulator(env: Record<string, string | undefined>, defaultPort = 9140) {
  const port = env.VETELEVAGE_SIM_PORT ? Number(env.VETELEVAGE_SIM_PORT) : defaultPort;
  const running = await startVetelevageSimulator({ port });
  const { sim, url } = running;
  sim.addEditor(DEMO.editor.id, DEMO.editor.secret);
  sim.addAccount('cabinet-des-pres', { login: DEMO.pres.login, password: DEMO.pres.password });
  sim.addAccount('clinique-du-bocage', { login: DEMO.bocage.login, password: DEMO.bocage.password });
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
        editors: [DEMO.editor],
        accounts: [
          {
            id: 'cabinet-des-pres',
            mode: 'veterinaire',
            ...DEMO.pres,
            editor: 'demo-editeur',
            label: 'Cabinet des Prés',
          },
          {
            id: 'clinique-du-bocage',
            mode: 'veterinaire',
            ...DEMO.bocage,
            label: 'Clinique du Bocage',
          },
          { id: 'saas-vallee', mode: 'saas', editor: 'demo-editeur', label: 'Vétos de la Vallée (SaaS)' },
          { id: 'saas-plateau', mode: 'saas', editor: 'demo-editeur', label: 'Cabinet du Plateau (SaaS)' },
        ].map((account) => ({ ...account, catalogue: DEMO_LGCV_CATALOGUE })),
      }),
    },
    links: [{ label: 'Vétélevage simulator: accounts, waiting visits, make new visits', url: `${url}/_sim` }],
    credentials: [
      {
        label: 'Vétélevage account cabinet-des-pres (veterinarian mode)',
        value: `${DEMO.pres.login} / ${DEMO.pres.password}`,
      },
      {
        label: 'Vétélevage account clinique-du-bocage (veterinarian mode)',
        value: `${DEMO.bocage.login} / ${DEMO.bocage.password}`,
      },
      {
        label: 'Vétélevage LGCV editor (SaaS mode: saas-vallee, saas-plateau)',
        value: `${DEMO.editor.id} / ${DEMO.editor.secret}`,
      },
    ],
    stop: () => running.close(),
  };
}
