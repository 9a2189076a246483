import { type Flash, redirectWithFlash, takeFlash } from '@hip/shared';
import { Hono } from 'hono';
import {
  type AppointmentStatus,
  type HubLink,
  newDemoAppointment,
  type RdvAppointment,
  sendAppointment,
  updatedAppointment,
} from './appointments.ts';

/**
 * The SAS platform as the LRM sees it: `/sas/recherche` read with the platform's rules, and the
 * (assumed) aggregated care-offer API. Written independently of the service's own rules so that
 * a mistake in one is caught by the other.
 *
 * Errors, as the platform reports them:
 * - `sas_pf_001`: the origin is not an active LRM -> "flow disabled" page (403).
 * - `sas_pf_002`: the search cannot be placed (street number without street name, no resolvable
 *   city, invalid INSEE code, unusable token) -> redirect to the home page.
 */
export interface SasSimulatorOptions {
  activeOrigins: string[];
  /** Where token-mode contexts are redeemed: the service's base URL and its bearer. */
  contextApi?: { baseUrl: string; apiKey: string };
  offerApiKey?: string;
  /** The SAS's Hub Santé client, through which booked appointments reach the SAMU (RS-SAS-RDV). */
  hub?: HubLink;
  now?: () => Date;
  newId?: () => string;
}

const TRE_R38_URN = 'urn:oid:1.2.250.1.213.2.28|';
const PRACTITIONER_URN = /^urn:oid:1\.2\.250\.1\.71\.4\.2\.1\|8(\d{11})$/;

export interface Understood {
  origin: string;
  address: { streetnumber?: string; streetname?: string; inseecode?: string; city?: string };
  specialty: { kind: 'code' | 'free-text' | 'default'; value: string };
  practitioner?: string;
  warnings: string[];
  booking?: unknown;
  via: 'parameters' | 'token';
}

type Outcome =
  | { ok: true; understood: Understood }
  | { ok: false; error: 'sas_pf_001' | 'sas_pf_002'; reason: string };

const html = (title: string, body: string) =>
  `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${title}</title>` +
  '<style>body{font-family:system-ui;margin:2rem}td,th{padding:.2rem .6rem;text-align:left}' +
  '.flash{padding:.5rem .8rem}.ok{background:#dff5e1}.error{background:#fde2e1}</style></head>' +
  `<body><h1>Service d'Accès aux Soins <small>(simulateur)</small></h1>${body}</body></html>`;

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const flashHtml = (flash: Flash | undefined) =>
  flash
    ? `<p class="flash ${flash.tone}" data-testid="flash" role="${flash.tone === 'error' ? 'alert' : 'status'}">${esc(flash.text)}</p>`
    : '';

const STATUS_LABELS: Record<AppointmentStatus, string> = {
  pending: 'en attente',
  booked: 'réservé',
  fulfilled: 'honoré',
  noshow: 'patient absent',
  cancelled: 'annulé',
};

/** The demo's booking form and the appointments booked so far, with the changes a practitioner makes. */
function renderAppointments(hub: HubLink | undefined, booked: RdvAppointment[]): string {
  const link = hub
    ? `<p data-testid="hub-link">Rendez-vous envoyés au SAMU <b>${esc(hub.samuClientId)}</b> par Hub Santé (client Hub de la plateforme : ${esc(hub.bridgeUrl)}).</p>`
    : '<p data-testid="hub-link" class="warning">Aucune liaison Hub Santé configurée (HUB_DEMO_SAS_BRIDGE_URL et HUB_DEMO_SAMU_CLIENT_ID absents) : les rendez-vous pris ici ne sont pas envoyés au SAMU.</p>';
  const rows = booked
    .map(
      (a) =>
        `<tr data-appointment="${esc(a.appointmentId)}"><td>${esc(a.appointmentId)}</td><td>${esc(a.start)}</td>` +
        `<td>Dr ${esc(a.practitioner.firstName)} ${esc(a.practitioner.lastName)}</td>` +
        `<td data-testid="status">${STATUS_LABELS[a.status]}</td><td>` +
        (a.status === 'booked'
          ? (['fulfilled', 'noshow', 'cancelled'] as const)
              .map(
                (status) =>
                  `<form method="post" action="/rdv/${encodeURIComponent(a.appointmentId)}/status" style="display:inline"><button type="submit" name="status" value="${status}">${status === 'cancelled' ? 'Annuler' : `Marquer ${STATUS_LABELS[status]}`}</button></form> `,
              )
              .join('')
          : '') +
        '</td></tr>',
    )
    .join('');
  return (
    '<h2>Prise de rendez-vous (démo)</h2>' +
    link +
    '<form method="post" action="/rdv"><button type="submit" id="book-appointment">Prendre un rendez-vous</button> ' +
    'avec le Dr Didier MOREL (médecine générale), dans deux heures</form>' +
    (rows
      ? `<table><thead><tr><th>Rendez-vous</th><th>Début</th><th>Praticien</th><th>Statut</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
      : '')
  );
}

/** The platform's reading of the contextual-search parameters. */
export function readSearch(params: Record<string, string | undefined>, activeOrigins: Set<string>): Outcome {
  const origin = params.origin ?? '';
  if (!activeOrigins.has(origin))
    return { ok: false, error: 'sas_pf_001', reason: `flux désactivé pour l'origine "${origin}"` };
  const warnings: string[] = [];
  const streetnumber = params.streetnumber?.replace(/\D/g, '') || undefined;
  const streetname = params.streetname?.trim() || undefined;
  const inseecode = params.inseecode?.trim() || undefined;
  const city = params.city?.trim() || undefined;
  if (streetnumber && !streetname)
    return { ok: false, error: 'sas_pf_002', reason: 'numéro de voie sans nom de voie' };
  if (inseecode && !/^(\d{5}|2[AB]\d{3})$/.test(inseecode)) {
    return { ok: false, error: 'sas_pf_002', reason: `code INSEE invalide "${inseecode}"` };
  }
  if (!inseecode && !city) return { ok: false, error: 'sas_pf_002', reason: 'commune introuvable' };
  const rawSpecialty = params.specialty?.trim() ?? '';
  const specialty: Understood['specialty'] = !rawSpecialty
    ? { kind: 'default', value: 'SM54' }
    : rawSpecialty.startsWith(TRE_R38_URN)
      ? { kind: 'code', value: rawSpecialty.slice(TRE_R38_URN.length) }
      : { kind: 'free-text', value: rawSpecialty };
  let practitioner: string | undefined;
  if (params.practitioner) {
    const match = PRACTITIONER_URN.exec(params.practitioner);
    if (match) practitioner = match[1];
    else warnings.push(`médecin traitant ignoré : format inattendu "${params.practitioner}"`);
  }
  return {
    ok: true,
    understood: {
      origin,
      address: {
        ...(streetnumber ? { streetnumber } : {}),
        ...(streetname ? { streetname } : {}),
        ...(inseecode ? { inseecode } : {}),
        ...(city ? { city } : {}),
      },
      specialty,
      ...(practitioner ? { practitioner } : {}),
      warnings,
      via: 'parameters',
    },
  };
}

/** The booking data as the SAS would prefill its appointment form. */
function renderBooking(booking: unknown): string {
  const { patient, reason } = booking as {
    patient?: { lastName?: string; firstName?: string };
    reason?: string;
  };
  return (
    '<h2>Prise de RDV</h2><p data-testid="booking">Données de prise de RDV reçues</p>' +
    `<p>Patient : <span data-testid="booking-patient">${esc(`${patient?.lastName ?? ''} ${patient?.firstName ?? ''}`.trim())}</span></p>` +
    (reason ? `<p>Motif : ${esc(reason)}</p>` : '')
  );
}

function renderUnderstood(u: Understood): string {
  const rows: [string, string, string][] = [
    ['origin', 'Origine', u.origin],
    ['streetnumber', 'Numéro', u.address.streetnumber ?? ''],
    ['streetname', 'Voie', u.address.streetname ?? ''],
    ['inseecode', 'Code INSEE', u.address.inseecode ?? ''],
    ['city', 'Commune', u.address.city ?? ''],
    ['specialty', `Spécialité (${u.specialty.kind})`, u.specialty.value],
    ['practitioner', 'Médecin traitant (RPPS)', u.practitioner ?? ''],
    ['via', 'Contexte reçu par', u.via],
  ];
  return (
    '<h2>Résultats de recherche</h2><table>' +
    rows
      .map(([id, label, v]) => `<tr><th>${label}</th><td data-testid="${id}">${esc(v)}</td></tr>`)
      .join('') +
    '</table>' +
    (u.booking ? renderBooking(u.booking) : '') +
    u.warnings.map((w) => `<p class="warning">${esc(w)}</p>`).join('')
  );
}

export function createSasSimulatorApp(options: SasSimulatorOptions) {
  const app = new Hono();
  const origins = new Set(options.activeOrigins);
  const searches: Understood[] = [];
  const offer = { calls: 0, failure: 'none' as 'none' | '500' | 'timeout' | 'malformed' };
  const now = options.now ?? (() => new Date());
  const newId = options.newId ?? (() => crypto.randomUUID());
  /** Appointments booked on the platform, newest first, with how many messages each has had. */
  const booked = new Map<string, { appointment: RdvAppointment; sent: number }>();
  const bookedList = () => [...booked.values()].map((b) => b.appointment).reverse();

  const answer = (c: { req: { header(n: string): string | undefined } }, outcome: Outcome) => {
    const wantsJson = c.req.header('accept')?.includes('application/json');
    if (!outcome.ok) {
      if (outcome.error === 'sas_pf_001') {
        return wantsJson
          ? Response.json({ error: outcome.error, reason: outcome.reason }, { status: 403 })
          : new Response(
              html(
                'Flux désactivé',
                `<p data-error="${outcome.error}">Flux désactivé : ${esc(outcome.reason)}</p>`,
              ),
              {
                status: 403,
                headers: { 'content-type': 'text/html; charset=utf-8' },
              },
            );
      }
      const home = `/?error=${outcome.error}&reason=${encodeURIComponent(outcome.reason)}`;
      return wantsJson
        ? Response.json(
            { error: outcome.error, reason: outcome.reason, redirectedTo: '/' },
            { status: 302, headers: { location: home } },
          )
        : new Response(null, { status: 302, headers: { location: home } });
    }
    searches.push(outcome.understood);
    return wantsJson
      ? Response.json(outcome.understood)
      : new Response(
          html(
            'Résultats',
            renderUnderstood(outcome.understood) + renderAppointments(options.hub, bookedList()),
          ),
          {
            headers: { 'content-type': 'text/html; charset=utf-8' },
          },
        );
  };

  app.get('/', (c) => {
    const error = c.req.query('error');
    return c.html(
      html(
        'Accueil',
        flashHtml(takeFlash(c)) +
          (error
            ? `<p data-error="${esc(error)}">Recherche contextuelle impossible (${esc(error)}) : ${esc(c.req.query('reason') ?? '')}</p>`
            : '<p>Accueil de la plateforme numérique SAS.</p>') +
          renderAppointments(options.hub, bookedList()),
      ),
    );
  });

  /** Sends the appointment's current state to the SAMU and says on the home page what happened. */
  const send = async (
    c: Parameters<typeof redirectWithFlash>[0],
    appointment: RdvAppointment,
    done: string,
  ) => {
    const entry = booked.get(appointment.appointmentId) ?? { appointment, sent: 0 };
    entry.appointment = appointment;
    booked.set(appointment.appointmentId, entry);
    if (!options.hub) {
      return redirectWithFlash(c, '/', {
        tone: 'error',
        text: `${done}, mais il n'est pas envoyé au SAMU : aucune liaison Hub Santé configurée.`,
      });
    }
    entry.sent++;
    const outcome = await sendAppointment(
      options.hub,
      appointment,
      `${appointment.appointmentId}:${entry.sent}`,
    );
    return redirectWithFlash(
      c,
      '/',
      outcome.ok
        ? {
            tone: 'ok',
            text: `${done} et envoyé au SAMU ${options.hub.samuClientId} par Hub Santé (RS-SAS-RDV, distribution ${outcome.distributionId}).`,
          }
        : { tone: 'error', text: `${done}, mais l'envoi au SAMU a échoué : ${outcome.reason}` },
    );
  };

  app.post('/rdv', async (c) => {
    const appointment = newDemoAppointment(newId(), now());
    return send(c, appointment, `Rendez-vous ${appointment.appointmentId} réservé`);
  });

  app.post('/rdv/:id/status', async (c) => {
    const entry = booked.get(c.req.param('id'));
    const status = (await c.req.parseBody()).status;
    if (!entry)
      return redirectWithFlash(c, '/', { tone: 'error', text: `Rendez-vous ${c.req.param('id')} inconnu.` });
    if (status !== 'fulfilled' && status !== 'noshow' && status !== 'cancelled') {
      return redirectWithFlash(c, '/', { tone: 'error', text: `Statut « ${String(status)} » inconnu.` });
    }
    return send(
      c,
      updatedAppointment(entry.appointment, status),
      `Rendez-vous ${entry.appointment.appointmentId} ${STATUS_LABELS[status]}`,
    );
  });

  app.get('/sas/recherche', async (c) => {
    const token = c.req.query('token');
    if (!token) return answer(c, readSearch(c.req.query(), origins));
    if (!options.contextApi)
      return answer(c, { ok: false, error: 'sas_pf_002', reason: 'mode jeton non configuré' });
    const res = await fetch(`${options.contextApi.baseUrl}/contexts/${encodeURIComponent(token)}`, {
      headers: { authorization: `Bearer ${options.contextApi.apiKey}`, accept: 'application/json' },
    }).catch(() => undefined);
    if (!res?.ok)
      return answer(c, {
        ok: false,
        error: 'sas_pf_002',
        reason: `jeton refusé (${res?.status ?? 'réseau'})`,
      });
    const context = (await res.json()) as Record<string, unknown>;
    const outcome = readSearch(context as Record<string, string>, origins);
    if (outcome.ok) {
      outcome.understood.via = 'token';
      if (context.booking) outcome.understood.booking = context.booking;
    }
    return answer(c, outcome);
  });

  /** What the platform understood, for tests. */
  app.get('/__sim/searches', (c) => c.json(searches));
  app.post('/__sim/offer', async (c) => {
    offer.failure = ((await c.req.json()) as { failure: typeof offer.failure }).failure;
    return c.json(offer);
  });
  app.get('/__sim/offer', (c) => c.json(offer));

  const offerGuard = (auth: string | undefined) =>
    !options.offerApiKey || auth === `Bearer ${options.offerApiKey}`;

  const offerFailure = async (): Promise<Response | undefined> => {
    if (offer.failure === '500') return new Response('upstream error', { status: 500 });
    if (offer.failure === 'timeout') await new Promise((r) => setTimeout(r, 2_000));
    if (offer.failure === 'malformed') return Response.json({ unexpected: true });
    return undefined;
  };

  app.get('/api/v1/offer/slots', async (c) => {
    offer.calls++;
    if (!offerGuard(c.req.header('authorization'))) return c.json({ error: 'unauthorized' }, 401);
    const failed = await offerFailure();
    if (failed) return failed;
    const specialty = c.req.query('specialty') ?? 'SM54';
    const day = new Date(Date.now() + 3_600_000);
    day.setUTCMinutes(0, 0, 0);
    const slots = [0, 1, 2].map((i) => ({
      id: `slot-${specialty}-${i}`,
      start: new Date(day.getTime() + i * 1_200_000).toISOString(),
      end: new Date(day.getTime() + (i + 1) * 1_200_000).toISOString(),
      practitioner: {
        rppsId: '810005681340',
        lastName: 'MOREL',
        firstName: 'Didier',
        specialityCode: specialty,
      },
      location: {
        name: 'Cabinet Morel',
        address: `1 place du Marché ${c.req.query('city') ?? ''}`.trim(),
        inseecode: c.req.query('inseecode'),
      },
    }));
    return c.json({ slots });
  });

  app.get('/api/v1/offer/structures', async (c) => {
    offer.calls++;
    if (!offerGuard(c.req.header('authorization'))) return c.json({ error: 'unauthorized' }, 401);
    const failed = await offerFailure();
    if (failed) return failed;
    return c.json({
      structures: [
        {
          id: '440000001',
          name: 'CPTS Nantes Nord',
          kind: 'CPTS',
          address: '2 rue des Soins, Nantes',
          inseecode: '44109',
        },
        {
          id: '440000002',
          name: 'SOS Médecins Nantes',
          kind: 'SOS',
          address: '5 quai de la Fosse, Nantes',
          phone: '3624',
        },
      ],
    });
  });

  return app;
}
