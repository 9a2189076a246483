import { redirectWithFlash, takeFlash } from '@hip/shared';
import { Hono } from 'hono';

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * A stand-in for the regulation software (LRM): a case screen with the "search the SAS" button,
 * which opens our service's `/search` with the case's context, as an LRM would.
 */
export function createLrmSimulatorApp(options: { serviceUrl: string; origin: string; apiKey?: string }) {
  const app = new Hono();
  /** A case whose patient is to be booked: prepared server to server, so the URL carries no patient data. */
  const booking = {
    id: 'C',
    context: { origin: options.origin, inseecode: '13205', specialty: 'SM54', practitioner: '10005681340' },
    booking: {
      patient: { lastName: 'MARTIN', firstName: 'Louise', birthDate: '1948-03-02', sex: 'F' },
      reason: 'fièvre, toux depuis 3 jours',
      lrmCaseId: 'DRM-2026-000123',
    },
  };
  const cases = [
    {
      id: 'A',
      streetnumber: '12',
      streetname: 'rue de la Paix',
      inseecode: '44109',
      city: 'Nantes',
      specialty: 'SM54',
      practitioner: '10005681340',
    },
    { id: 'B', address: '3 place Bellecour, 69002 Lyon', specialty: 'SM26' },
  ];
  app.get('/', (c) => {
    const buttons = cases
      .map((k) => {
        const url = new URL('/search', options.serviceUrl);
        url.searchParams.set('origin', options.origin);
        for (const [name, value] of Object.entries(k)) if (name !== 'id') url.searchParams.set(name, value);
        return `<p>Dossier ${k.id} <a id="search-${k.id}" href="${url.toString().replaceAll('&', '&amp;')}">Rechercher une offre de soins (SAS)</a></p>`;
      })
      .join('');
    const flash = takeFlash(c);
    const message = flash
      ? `<p class="flash ${flash.tone}" data-testid="flash" role="${flash.tone === 'error' ? 'alert' : 'status'}">${esc(flash.text)}</p>`
      : '';
    const book = `<form method="post" action="/cases/${booking.id}/book"><p>Dossier ${booking.id} (patient à orienter) <button id="book-${booking.id}" type="submit">Prendre RDV via le SAS</button></p></form>`;
    return c.html(
      `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>LRM</title></head><body><h1>LRM (simulateur)</h1>${message}${buttons}${book}</body></html>`,
    );
  });
  app.post('/cases/:id/book', async (c) => {
    const res = await fetch(new URL('/contexts', options.serviceUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify({ ...booking.context, booking: booking.booking }),
    }).catch((error: Error) => error);
    if (res instanceof Error) {
      return redirectWithFlash(c, '/', {
        tone: 'error',
        text: `sas-redirect ne répond pas (${options.serviceUrl}) : ${res.message}`,
      });
    }
    if (res.status !== 201) {
      const problem = (await res.json().catch(() => ({}))) as { detail?: string };
      return redirectWithFlash(c, '/', {
        tone: 'error',
        text: `sas-redirect a refusé le dossier ${c.req.param('id')} (HTTP ${res.status}) : ${problem.detail ?? 'sans détail'}`,
      });
    }
    const { launchUrl } = (await res.json()) as { launchUrl: string };
    return c.redirect(launchUrl, 303);
  });
  return app;
}
