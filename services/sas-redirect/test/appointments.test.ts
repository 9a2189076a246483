import { readFileSync } from 'node:fs';
import { createMemoryBus, DEAD_LETTER_HEADERS } from '@hip/shared';
import { type HubInbound, SAS_APPOINTMENTS_CHANGED, type SasAppointmentChanged } from '@hip/shared/schemas';
import { freshDatabase, startServiceForTest, waitFor } from '@hip/shared/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DURABLE, INBOUND_SUBJECT } from '../src/appointments/service.ts';
import { sasRedirect } from '../src/service.ts';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as {
    appointment: Record<string, unknown>;
  };

let seq = 0;
/** What hub-bridge publishes for one LRM (its `HubInbound` event), with a fresh distribution id. */
function hubMessage(
  lrm: string,
  content: unknown,
  distributionId = `fr.health.ptfsas_${Date.now()}_${++seq}`,
  sentAt?: string,
): HubInbound {
  return {
    distributionId,
    senderId: 'fr.health.test.ptfsas',
    recipientId: lrm,
    type: 'RS-SAS-RDV',
    kind: 'Report',
    vhost: '15-15_v1.5',
    receivedAt: new Date().toISOString(),
    header: {
      messageId: distributionId,
      sender: { name: 'ptfsas', URI: 'hubex:fr.health.test.ptfsas' },
      ...(sentAt ? { sentAt } : {}),
    },
    content,
    customContent: [],
  };
}

describe('appointment follow-up from hub.inbound.RS-SAS-RDV', () => {
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  const changes: SasAppointmentChanged[] = [];

  beforeAll(async () => {
    svc = await startServiceForTest(sasRedirect, { env: { LRM_ORIGINS: 'samu44-lrm' } });
    await svc.bus.subscribe({
      subject: SAS_APPOINTMENTS_CHANGED,
      durable: `test-changes-${Date.now()}`,
      handler: async (m) => {
        changes.push(m.json());
      },
    });
  });
  afterAll(() => svc.stop());

  const list = async (lrm: string) =>
    (await (await svc.request(`/appointments?lrm=${encodeURIComponent(lrm)}`)).json()).appointments as {
      appointmentId: string;
      status: string;
      version: number;
    }[];

  it('creates, then replaces with the full state; a cancellation is an update with status cancelled', async () => {
    const lrm = `fr.health.samu440.${Date.now()}`;
    const created = fixture('RS-SAS-RDV_appointment_PS.02');
    const id = `rdv-${Date.now()}`;
    created.appointment.appointmentId = id;
    await svc.bus.publish(INBOUND_SUBJECT, hubMessage(lrm, created));
    await waitFor(async () => (await list(lrm)).length === 1, { what: 'created appointment' });
    const cancelled = {
      appointment: { ...created.appointment, method: 'UpdateAppointment', status: 'cancelled' },
    };
    await svc.bus.publish(INBOUND_SUBJECT, hubMessage(lrm, cancelled));
    await waitFor(async () => (await list(lrm))[0]?.status === 'cancelled', { what: 'cancellation' });
    expect(await list(lrm)).toMatchObject([{ appointmentId: id, status: 'cancelled', version: 2 }]);

    const history = await (await svc.request(`/appointments/${lrm}/${id}/history`)).json();
    expect(history.history.map((h: { applied: string; status: string }) => [h.applied, h.status])).toEqual([
      ['created', 'booked'],
      ['updated', 'cancelled'],
    ]);
    const published = await waitFor(
      () => {
        const mine = changes.filter((c) => c.appointmentId === id);
        return mine.length === 2 ? mine : undefined;
      },
      { what: 'sas.appointments.changed events' },
    );
    expect(published.map((c) => [c.change, c.version, c.previousStatus])).toEqual([
      ['created', 1, undefined],
      ['updated', 2, 'booked'],
    ]);
    expect(published[1]!.appointment.status).toBe('cancelled');
  });

  it('treats an update for an unknown appointment id as a creation, bare content accepted', async () => {
    const lrm = `fr.health.samu690.${Date.now()}`;
    const update = fixture('RS-SAS-RDV_appointment_PS.01-MAJ').appointment;
    update.appointmentId = `rdv-unknown-${Date.now()}`;
    await svc.bus.publish(INBOUND_SUBJECT, hubMessage(lrm, update));
    const [row] = await waitFor(async () => {
      const rows = await list(lrm);
      return rows.length ? rows : undefined;
    });
    expect(row).toMatchObject({ status: 'cancelled', version: 1 });
    const history = await (await svc.request(`/appointments/${lrm}/${update.appointmentId}/history`)).json();
    expect(history.history[0].applied).toBe('created-from-update');
  });

  it('applies a redelivered message once (same distribution id)', async () => {
    const lrm = `fr.health.samu750.${Date.now()}`;
    const first = fixture('RS-SAS-RDV_appointment_SOS.01');
    const id = `rdv-dup-${Date.now()}`;
    first.appointment.appointmentId = id;
    const msg = hubMessage(lrm, first);
    await svc.bus.publish(INBOUND_SUBJECT, msg);
    await svc.bus.publish(INBOUND_SUBJECT, msg, {});
    // The consumer keeps order: once this later update is applied, the duplicate was seen before it.
    const later = { appointment: { ...first.appointment, method: 'UpdateAppointment', status: 'fulfilled' } };
    await svc.bus.publish(INBOUND_SUBJECT, hubMessage(lrm, later));
    await waitFor(async () => (await list(lrm))[0]?.status === 'fulfilled', { what: 'the later update' });
    expect((await list(lrm))[0]!.version).toBe(2);
    const history = await (await svc.request(`/appointments/${lrm}/${id}/history`)).json();
    expect(history.history.map((h: { status: string }) => h.status)).toEqual(['pending', 'fulfilled']);
  });

  it('parks a message that breaks the RS-SAS-RDV schema or comes from another sender, with the reason', async () => {
    const lrm = `fr.health.samu130.${Date.now()}`;
    const bad = fixture('RS-SAS-RDV_appointment_SOS.01');
    bad.appointment.status = 'lost';
    await svc.bus.publish(INBOUND_SUBJECT, hubMessage(lrm, bad));
    const intruder = {
      ...hubMessage(lrm, fixture('RS-SAS-RDV_appointment_SOS.01')),
      senderId: 'fr.health.intruder',
    };
    await svc.bus.publish(INBOUND_SUBJECT, intruder);
    const parked = await waitFor(
      async () => {
        const rows = (await (await svc.request('/appointments/parked')).json()).parked as {
          id: number;
          reason: string;
        }[];
        const mine = rows.filter(
          (r) => r.reason.includes('status') || r.reason.includes('fr.health.intruder'),
        );
        return mine.length >= 2 ? mine : undefined;
      },
      { what: 'parked messages' },
    );
    expect(parked.some((p) => p.reason.includes('/content/appointment/status'))).toBe(true);
    expect(parked.some((p) => p.reason.includes('"fr.health.intruder" is not the SAS platform'))).toBe(true);
    const retry = await svc.request(`/appointments/parked/${parked[0]!.id}/retry`, { method: 'POST' });
    expect(retry.status).toBe(422);
    expect(await list(lrm)).toEqual([]);
  });

  it('records dead letters in the parked list and applies them on retry', async () => {
    const lrm = `fr.health.samu330.${Date.now()}`;
    const msg = hubMessage(lrm, fixture('RS-SAS-RDV_appointment_SOS.01'));
    await svc.bus.publish(`dlq.${DURABLE}.${INBOUND_SUBJECT}`, msg, {
      headers: {
        [DEAD_LETTER_HEADERS.error]: 'Error: database unavailable',
        [DEAD_LETTER_HEADERS.subject]: INBOUND_SUBJECT,
      },
    });
    const parked = await waitFor(async () => {
      const rows = (await (await svc.request('/appointments/parked')).json()).parked as {
        id: number;
        reason: string;
      }[];
      return rows.find((r) => r.reason === 'Error: database unavailable');
    });
    const retry = await svc.request(`/appointments/parked/${parked.id}/retry`, { method: 'POST' });
    expect(await retry.json()).toEqual({ outcome: 'applied' });
    expect(await list(lrm)).toHaveLength(1);
    const remaining = (await (await svc.request('/appointments/parked')).json()).parked as { id: number }[];
    expect(remaining.some((r) => r.id === parked.id)).toBe(false);
  });

  it('does not let a dead-lettered create, retried after a later cancel, bring the appointment back', async () => {
    const lrm = `fr.health.samu290.${Date.now()}`;
    const created = fixture('RS-SAS-RDV_appointment_PS.02');
    const id = `rdv-late-${Date.now()}`;
    created.appointment.appointmentId = id;
    const create = hubMessage(lrm, created, undefined, '2025-06-17T10:15:00+02:00');
    const cancel = hubMessage(
      lrm,
      { appointment: { ...created.appointment, method: 'UpdateAppointment', status: 'cancelled' } },
      undefined,
      '2025-06-17T10:20:00+02:00',
    );
    // The create failed every delivery (dead-lettered) while the cancel went through.
    await svc.bus.publish(`dlq.${DURABLE}.${INBOUND_SUBJECT}`, create, {
      headers: { [DEAD_LETTER_HEADERS.error]: `Error: database unavailable ${id}` },
    });
    await svc.bus.publish(INBOUND_SUBJECT, cancel);
    await waitFor(async () => (await list(lrm))[0]?.status === 'cancelled', { what: 'cancellation' });
    const parked = await waitFor(async () => {
      const rows = (await (await svc.request('/appointments/parked')).json()).parked as {
        id: number;
        reason: string;
      }[];
      return rows.find((r) => r.reason === `Error: database unavailable ${id}`);
    });
    const retry = await svc.request(`/appointments/parked/${parked.id}/retry`, { method: 'POST' });
    expect(await retry.json()).toEqual({ outcome: 'stale' });
    expect(await list(lrm)).toMatchObject([{ appointmentId: id, status: 'cancelled', version: 1 }]);
    const history = await (await svc.request(`/appointments/${lrm}/${id}/history`)).json();
    expect(history.history.map((h: { applied: string; status: string }) => [h.applied, h.status])).toEqual([
      ['created-from-update', 'cancelled'],
      ['stale', 'booked'],
    ]);
  });

  it('shows appointments in Paris time, each with its history page, on the admin page', async () => {
    const lrm = `fr.health.samu350.${Date.now()}`;
    const created = fixture('RS-SAS-RDV_appointment_PS.02');
    const id = `rdv-admin-${Date.now()}`;
    created.appointment.appointmentId = id;
    await svc.bus.publish(INBOUND_SUBJECT, hubMessage(lrm, created));
    await waitFor(async () => (await list(lrm)).length === 1, { what: 'appointment applied' });

    const res = await svc.request('/admin/appointments');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Parked messages');
    expect(html).toContain('<time datetime="2025-06-17T12:00:00.000Z">2025-06-17 14:00:00 +02:00</time>');
    // No zone-less or UTC ISO text shown to the user (only inside datetime attributes).
    expect(html.replace(/datetime="[^"]*"/g, '')).not.toMatch(/\d{2}:\d{2}:\d{2}(\.\d+)?Z/);

    const historyLink = `/admin/appointments/${encodeURIComponent(lrm)}/${encodeURIComponent(id)}`;
    expect(html).toContain(`href="${historyLink}"`);
    const history = await svc.request(historyLink);
    expect(history.status).toBe(200);
    const page = await history.text();
    expect(page).toContain(`Appointment ${id}`);
    expect(page).toContain('<td>CreateAppointment</td><td>created</td><td>booked</td>');
  });

  it('refuses an admin retry posted from another site (CSRF), accepts one from its own page', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const foreign = await svc.request('/admin/parked/999999/retry', {
      method: 'POST',
      headers: { ...form, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const own = await svc.request('/admin/parked/999999/retry', {
      method: 'POST',
      headers: { ...form, origin: 'http://service.test' },
    });
    expect(own.status).toBe(303);
  });

  it('ends every admin retry on the page with a message saying what happened', async () => {
    const retry = async (id: string) => {
      const res = await svc.request(`/admin/parked/${id}/retry`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://service.test' },
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/admin/appointments');
      const cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const page = await (await svc.request('/admin/appointments', { headers: { cookie } })).text();
      return /<p class="flash (ok|error)"[^>]*>([^<]*)<\/p>/
        .exec(page)
        ?.slice(1)
        .join(': ')
        .replaceAll('&quot;', '"');
    };
    expect(await retry('abc')).toBe('error: "abc" is not a parked message id');
    expect(await retry('999999')).toBe('error: No parked message #999999');

    const parkedNow = async () =>
      (await (await svc.request('/appointments/parked')).json()).parked as { id: number; reason: string }[];
    const before = new Set((await parkedNow()).map((r) => r.id));
    const broken = fixture('RS-SAS-RDV_appointment_PS.02');
    broken.appointment.status = 'lost';
    await svc.bus.publish(INBOUND_SUBJECT, hubMessage(`fr.health.samu360.${Date.now()}`, broken));
    const parked = await waitFor(
      async () =>
        (await parkedNow()).find(
          (r) => !before.has(r.id) && r.reason.includes('/content/appointment/status'),
        ),
      { what: 'the broken message parked' },
    );
    expect(await retry(String(parked.id))).toMatch(
      new RegExp(`^error: Parked message #${parked.id} still cannot be applied: not an RS-SAS-RDV message`),
    );
  });
});

describe('dead letters while the database is down', () => {
  it('keeps retrying to park a dead letter for longer than the main consumer retries', async () => {
    // A memory bus whose waits are shortened, counting the deliveries to the dead-letter consumer.
    const bus = createMemoryBus();
    const subscribe = bus.subscribe.bind(bus);
    let deadLetterDeliveries = 0;
    bus.subscribe = (options) =>
      subscribe({
        ...options,
        backoffMs: [5],
        handler: async (m) => {
          if (options.durable === `${DURABLE}-dlq`) deadLetterDeliveries = m.deliveryCount;
          await options.handler(m);
        },
      });
    const database = await freshDatabase();
    const svc = await startServiceForTest(sasRedirect, { env: { LRM_ORIGINS: 'samu44-lrm' }, bus, database });
    try {
      const lost: string[] = [];
      await subscribe({
        subject: `dlq.${DURABLE}-dlq.>`,
        durable: 'test-lost',
        handler: async (m) => {
          lost.push(m.subject);
        },
      });
      // The parking table is unreachable, as when the database is down.
      await database.db.execute(sql`alter table sas_redirect.parked_messages rename to parked_away`);
      const msg = hubMessage('fr.health.samu440.down', fixture('RS-SAS-RDV_appointment_SOS.01'));
      await bus.publish(`dlq.${DURABLE}.${INBOUND_SUBJECT}`, msg, {
        headers: { [DEAD_LETTER_HEADERS.error]: 'Error: database unavailable (long outage)' },
      });
      await waitFor(() => deadLetterDeliveries >= 8 || lost.length > 0, { what: 'dead letter retried' });
      expect(lost).toEqual([]);
      await database.db.execute(sql`alter table sas_redirect.parked_away rename to parked_messages`);
      const parked = await waitFor(async () => {
        const rows = (await (await svc.request('/appointments/parked')).json()).parked as {
          reason: string;
        }[];
        return rows.find((r) => r.reason === 'Error: database unavailable (long outage)');
      });
      expect(parked).toBeDefined();
    } finally {
      await svc.stop();
      await bus.close();
      await database.drop();
    }
  });
});
