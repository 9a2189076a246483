import { formatTimestamp, type Logger, silentLogger } from '@hip/shared';
import { listen } from '@hip/shared/node';
import { Hono } from 'hono';
import { failingAdmissions } from './faultScenario.ts';
import { SIM_API_TOKEN, startArcadSimulator } from './index.ts';
import { generateLiviaTenant } from './livia.ts';
import { pushLiviaTenant } from './liviaPusher.ts';

export const DEMO_TENANT = 'demo';
export const DEMO_ARCAD_TENANT = 'livia25';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * For `pnpm start`: ARCAD360 (REST on `firstPort`, OpenID on the next) and a LIVIA demo tenant
 * (the one after) that pushes itself to arcad-sync once someone activates tenant "demo" in the
 * console.
 *
 * The demo LIVIA does not poll arcad-sync (every refused push would be a line in the start log):
 * activating a tenant makes arcad-sync ask ARCAD360 whether the ARCAD tenant exists, and the
 * ARCAD360 simulator tells the demo, which then pushes once.
 */
export async function startDemoSimulators(
  env: Record<string, string | undefined>,
  firstPort = 9110,
  logger: Logger = silentLogger,
) {
  const publicUrl = env.PUBLIC_URL ?? `http://localhost:${env.ARCAD_SYNC_PORT ?? 8081}`;
  const arcad = await startArcadSimulator({
    restPort: firstPort,
    oidcPort: firstPort + 1,
    arcadTenant: DEMO_ARCAD_TENANT,
    redirectUris: [`${publicUrl}/auth/callback`],
    // ARCAD360's changes reach the demo tenant through its signed webhooks (the live flows).
    webhookUrls: [`${publicUrl}/webhooks/arcad360/${DEMO_TENANT}`],
  });
  const liviaToken = env.LIVIA_API_TOKEN ?? `livia-demo-${crypto.randomUUID()}`;
  const data = generateLiviaTenant({
    users: 40,
    establishments: 4,
    activities: 10,
    residents: 120,
    records: 150,
    contacts: 200,
  });
  const send = (path: string, init: RequestInit) => fetch(`${publicUrl}${path}`, init);
  let status = 'waiting for the activation of tenant "demo" in the console';
  let lastAction = '';
  let pushing: Promise<void> | null = null;
  let stopped = false;
  const pushOnce = async (why: string) => {
    try {
      await pushLiviaTenant(send, DEMO_TENANT, liviaToken, data);
      status = `pushed at ${formatTimestamp(new Date())} (${why})`;
      logger.info({ tenant: DEMO_TENANT }, 'LIVIA demo tenant pushed');
      return true;
    } catch (error) {
      status = `push failed: ${(error as Error).message.slice(0, 300)}`;
      return false;
    }
  };
  /**
   * Right after the tenant check, arcad-sync may not have committed the activation yet: a few
   * tries, then back to waiting for the next activation (a tenant other than "demo", say).
   */
  const pushAfterActivation = async () => {
    for (let attempt = 0; attempt < 8 && !stopped; attempt++) {
      await new Promise((r) => setTimeout(r, 250 * 2 ** Math.min(attempt, 3)));
      if (await pushOnce('after the activation')) return true;
    }
    if (!stopped)
      logger.warn({ tenant: DEMO_TENANT, status }, 'LIVIA demo tenant not pushed: activate tenant "demo"');
    return false;
  };
  let pushed = false;
  arcad.sim.onTenantChecked((arcadTenant) => {
    if (arcadTenant !== DEMO_ARCAD_TENANT || pushed || pushing) return;
    pushing = pushAfterActivation().then((ok) => {
      pushing = null;
      pushed = ok;
    });
  });

  let round = 0;
  const livia = new Hono();
  livia.get('/', (c) =>
    c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LIVIA demo tenant</title></head><body>
<h1>LIVIA demo tenant "${DEMO_TENANT}"</h1>
<p>${data.users.length} users, ${data.establishments.length} establishments, ${data.activities.length} activities, ${data.residents.length} residents (${data.residents.filter((r) => r.deceased).length} deceased), ${data.records.length} records, ${data.familyContacts.length} family contacts, ${data.intervenants.length} intervenants.</p>
<p>Status: <span data-testid="push-status">${escapeHtml(status)}</span></p>
${lastAction ? `<p role="status" data-testid="last-action">${escapeHtml(lastAction)}</p>` : ''}
<form method="post" action="/push"><button>Push again</button></form>
<p>Log in to the console as <b>expert / expert</b> (privileged; agent / agent may only watch) and activate tenant <b>${DEMO_TENANT}</b> with ARCAD tenant <b>${DEMO_ARCAD_TENANT}</b>: this tenant then pushes itself.</p>
<h2>Fault scenario</h2>
<p>LIVIA admits 5 new residents and pushes them; on the next I.4 run ARCAD360 answers 500 for two of them and loses its answer (504, client created) for one. Run I.4 in the console, open the error manager, then retry: all three are resolved, none created twice.</p>
<form method="post" action="/scenarios/failing-admissions"><button>Admit 5 residents, ARCAD360 fails 3</button></form>
</body></html>`,
    ),
  );
  livia.post('/push', async (c) => {
    lastAction = (await pushOnce('by hand')) ? 'Pushed again.' : `Not pushed: ${status}`;
    return c.redirect('/', 303);
  });
  livia.post('/scenarios/failing-admissions', async (c) => {
    const scenario = failingAdmissions(++round);
    try {
      await pushLiviaTenant(send, DEMO_TENANT, liviaToken, {
        users: [],
        establishments: [],
        activities: [],
        residents: scenario.residents,
        records: [],
        familyContacts: [],
        intervenants: [],
      });
      for (const fault of scenario.faults) arcad.sim.addFault(fault);
      lastAction = `${scenario.residents.length} new residents pushed (${scenario.residents.map((r) => r.id).join(', ')}); ARCAD360 will fail ${scenario.faults.length} of them on the next I.4 run.`;
    } catch (error) {
      lastAction = `Scenario not started: ${(error as Error).message.slice(0, 300)} (activate tenant "${DEMO_TENANT}" first)`;
    }
    return c.redirect('/', 303);
  });
  const liviaServer = await listen(livia, firstPort + 2, '127.0.0.1');
  return {
    env: {
      ...arcad.env,
      PUBLIC_URL: publicUrl,
      LIVIA_API_TOKEN: liviaToken,
      SESSION_SECRET: crypto.randomUUID(),
    },
    links: [
      { label: 'ARCAD360 simulator (REST)', url: `${arcad.url}/` },
      {
        label: 'ARCAD360 simulator (OpenID, expert/expert)',
        url: `${arcad.issuer}/.well-known/openid-configuration`,
      },
      { label: 'LIVIA demo tenant (and its fault scenario)', url: `http://127.0.0.1:${liviaServer.port}/` },
    ],
    credentials: [
      { label: 'arcad-sync console, privileged ARCAD360 account (runs the flows)', value: 'expert / expert' },
      { label: 'arcad-sync console, ordinary ARCAD360 account (watch only)', value: 'agent / agent' },
      {
        label: 'arcad-sync: LIVIA tenant to activate, with its ARCAD360 tenant',
        value: `${DEMO_TENANT} → ${DEMO_ARCAD_TENANT}`,
      },
      { label: 'ARCAD360 simulator REST API token (Authorization: Bearer)', value: SIM_API_TOKEN },
    ],
    async stop() {
      stopped = true;
      await pushing;
      await liviaServer.close();
      await arcad.stop();
    },
  };
}
