import { listen, type RunningServer } from '@hip/shared/node';
import { SasAppointmentSchema } from '@hip/shared/schemas';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSasSimulatorApp } from './sas.ts';

/** A stand-in for the SAS platform's hub-bridge: records what `POST /messages` receives. */
function fakeBridge() {
  const received: { recipient: string; type: string; content: unknown; reference?: string }[] = [];
  let answer: { status: number; body: object } = { status: 202, body: {} };
  const app = new Hono();
  app.post('/messages', async (c) => {
    received.push(await c.req.json());
    const body =
      answer.status === 202 ? { distributionId: `dist-${received.length}`, state: 'pending' } : answer.body;
    return c.json(body, answer.status as 202);
  });
  return {
    app,
    received,
    refuse(status: number, body: object) {
      answer = { status, body };
    },
    reset() {
      received.length = 0;
      answer = { status: 202, body: {} };
    },
  };
}

const NOW = new Date('2026-12-03T18:30:05Z');
const SAMU = 'fr.health.samu440';

/** Posts a form as the browser does, then opens the page it lands on with the flash cookie. */
async function submit(
  app: ReturnType<typeof createSasSimulatorApp>,
  path: string,
  form?: Record<string, string>,
) {
  const res = await app.request(path, {
    method: 'POST',
    ...(form
      ? { body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
      : {}),
  });
  expect(res.status).toBe(303);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return (await app.request(res.headers.get('location')!, { headers: { cookie } })).text();
}

const flashOf = (html: string) =>
  /data-testid="flash"[^>]*>([^<]*)</.exec(html)?.[1]?.replaceAll('&#39;', "'");

describe('SAS platform simulator: booking sends RS-SAS-RDV through the Hub', () => {
  const bridge = fakeBridge();
  let server: RunningServer;
  let sim: ReturnType<typeof createSasSimulatorApp>;
  beforeAll(async () => {
    server = await listen(bridge.app, 0, '127.0.0.1');
  });
  afterAll(() => server.close());
  beforeEach(() => {
    bridge.reset();
    let n = 0;
    sim = createSasSimulatorApp({
      activeOrigins: ['samu44-lrm'],
      hub: { bridgeUrl: `http://127.0.0.1:${server.port}`, samuClientId: SAMU },
      now: () => NOW,
      newId: () => `rdv-${++n}`,
    });
  });

  it('books from its page and sends a schema-valid CreateAppointment to the SAMU, saying so', async () => {
    const page = await (await sim.request('/')).text();
    expect(page).toContain('id="book-appointment"');
    expect(page).toContain(`Rendez-vous envoyés au SAMU <b>${SAMU}</b>`);

    const html = await submit(sim, '/rdv');
    expect(bridge.received).toHaveLength(1);
    const sent = bridge.received[0]!;
    expect(sent).toMatchObject({ recipient: SAMU, type: 'RS-SAS-RDV', reference: 'rdv-1:1' });
    const appointment = SasAppointmentSchema.parse(sent.content);
    expect(appointment).toMatchObject({
      appointmentId: 'rdv-1',
      method: 'CreateAppointment',
      status: 'booked',
      created: '2026-12-03T19:30:05+01:00',
      start: '2026-12-03T21:00:00+01:00',
      end: '2026-12-03T21:20:00+01:00',
    });
    expect(flashOf(html)).toBe(
      `Rendez-vous rdv-1 réservé et envoyé au SAMU ${SAMU} par Hub Santé (RS-SAS-RDV, distribution dist-1).`,
    );
    expect(html).toContain('<tr data-appointment="rdv-1">');
  });

  it('sends a cancellation as an update carrying the whole state', async () => {
    await submit(sim, '/rdv');
    const html = await submit(sim, '/rdv/rdv-1/status', { status: 'cancelled' });
    expect(bridge.received).toHaveLength(2);
    const [created, cancelled] = bridge.received.map((m) => SasAppointmentSchema.parse(m.content));
    expect(cancelled).toEqual({ ...created, method: 'UpdateAppointment', status: 'cancelled' });
    expect(bridge.received[1]!.reference).toBe('rdv-1:2');
    expect(flashOf(html)).toContain('Rendez-vous rdv-1 annulé et envoyé au SAMU');
  });

  it('says on its page when the Hub client refuses the message, with the refused fields', async () => {
    bridge.refuse(422, {
      detail: 'the Hub would refuse it',
      errors: [{ path: '/recipient', message: 'unknown client' }],
    });
    const html = await submit(sim, '/rdv');
    expect(flashOf(html)).toBe(
      "Rendez-vous rdv-1 réservé, mais l'envoi au SAMU a échoué : the Hub client refused the message (HTTP 422): the Hub would refuse it [/recipient unknown client]",
    );
  });

  it('says on its page that no Hub link is configured, and books without sending', async () => {
    const alone = createSasSimulatorApp({ activeOrigins: ['samu44-lrm'], newId: () => 'rdv-x' });
    expect(await (await alone.request('/')).text()).toContain('Aucune liaison Hub Santé configurée');
    const html = await submit(alone, '/rdv');
    expect(flashOf(html)).toBe(
      "Rendez-vous rdv-x réservé, mais il n'est pas envoyé au SAMU : aucune liaison Hub Santé configurée.",
    );
    expect(bridge.received).toHaveLength(0);
  });
});
