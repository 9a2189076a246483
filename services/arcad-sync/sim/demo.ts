import { listen } from '@hip/shared/node';
import { Hono } from 'hono';
import { startArcadSimulator } from './index.ts';
import { generateLiviaTenant } from './livia.ts';
import { pushLiviaTenant } from './liviaPusher.ts';

export const DEMO_TENANT = 'demo';
export const DEMO_ARCAD_TENANT = 'livia25';

/**
 * For `pnpm start`: ARCAD360 (REST on `firstPort`, OpenID on the next) and a LIVIA demo tenant
 * (the one after) that pushes itself to arcad-sync as soon as someone activates tenant "demo" in
 * the console.
 */
export async function startDemoSimulators(env: Record<string, string | undefined>, firstPort = 9110) {
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
  let pushed: string = 'waiting for the activation of tenant "demo" in the console';
  const push = () =>
    pushLiviaTenant((path, init) => fetch(`${publicUrl}${path}`, init), DEMO_TENANT, liviaToken, data).then(
      () => {
        pushed = `pushed at ${new Date().toISOString()}`;
        return true;
      },
      () => false,
    );
  const timer = setInterval(async () => {
    if (await push()) clearInterval(timer);
  }, 3000);
  const livia = new Hono();
  livia.get('/', (c) =>
    c.html(
      `<h1>LIVIA demo tenant "${DEMO_TENANT}"</h1><p>${data.users.length} users, ${data.establishments.length} establishments, ${data.activities.length} activities, ${data.residents.length} residents (${data.residents.filter((r) => r.deceased).length} deceased), ${data.records.length} records, ${data.familyContacts.length} family contacts, ${data.intervenants.length} intervenants.</p><p>Status: ${pushed}</p><form method="post" action="/push"><button>Push again</button></form><p>Log in to the console as <b>expert / expert</b> (privileged; agent / agent may only watch) and activate tenant <b>${DEMO_TENANT}</b> with ARCAD tenant <b>${DEMO_ARCAD_TENANT}</b>.</p>`,
    ),
  );
  livia.post('/push', async (c) => {
    await push();
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
      { label: 'ARCAD360 simulator (REST)', url: arcad.url },
      {
        label: 'ARCAD360 simulator (OpenID, expert/expert)',
        url: `${arcad.issuer}/.well-known/openid-configuration`,
      },
      { label: 'LIVIA demo tenant', url: `http://127.0.0.1:${liviaServer.port}/` },
    ],
    async stop() {
      clearInterval(timer);
      await liviaServer.close();
      await arcad.stop();
    },
  };
}
