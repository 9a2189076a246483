import { type BusMessage, deadLetterSubject } from '@hip/shared';
import { ARCAD_SUBJECTS } from '@hip/shared/schemas';
import { waitFor } from '@hip/shared/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_API_TOKEN } from '../sim/index.ts';
import { withInsKey } from '../src/domain/ins.ts';
import { INBOUND_DURABLE } from '../src/live/inbound.ts';
import { OUTBOUND_DURABLE } from '../src/live/outbound.ts';
import { DEFAULT_LOG_RETENTION_MS, purgeSettledMessages } from '../src/live/retention.ts';
import { liveMessages, liveSends } from '../src/live/schema.ts';
import { signWebhook } from '../src/live/signature.ts';
import {
  ARCAD_TENANT,
  activate,
  LIVIA_TOKEN,
  loginThroughArcad,
  push,
  runFlow,
  type Service,
  type Simulator,
  startService,
  startSimulator,
  uniqueTenant,
  waitForRun,
} from './harness.ts';

const SECRET = 'arcad-webhook-secret-for-tests';
const PAST = '2020-03-01';
const FUTURE = '2099-06-30';

interface LogItem {
  id: number;
  messageId: string;
  type: string;
  status: string;
  reason: string | null;
  retryable: boolean;
  changes: string[];
  attempts: number;
}

describe('live flows ARCAD360 <-> LIVIA', () => {
  let sim: Simulator;
  let svc: Service;
  let cookie: string;
  const tenant = uniqueTenant();
  const toLivia: BusMessage[] = [];
  let stopWatching: () => Promise<void>;
  /** ARCAD ids of what the initialisation flows synchronised. */
  const arcad = { service: '', otherService: '', clients: {} as Record<string, string> };

  const resident = (id: string, lastName: string) => ({
    id,
    lastName,
    firstName: 'Jeanne',
    birthDate: '1935-04-02',
    sex: 'F' as const,
    postcode: '69003',
    city: 'Lyon',
  });

  beforeAll(async () => {
    sim = await startSimulator();
    svc = await startService(sim, { env: { ARCAD_WEBHOOK_SECRET: SECRET } });
    cookie = await loginThroughArcad(svc, 'expert');
    await activate(svc, cookie, tenant);
    await push(svc, tenant, {
      establishments: [{ id: 'E1', name: 'EHPAD Les Tilleuls', postcode: '69003', city: 'Lyon' }],
      activities: [{ id: 'A1', establishmentId: 'E1', name: 'Hébergement permanent', code: 'HP' }],
      residents: ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8'].map((id) => resident(id, `NOM${id}`)),
    } as never);
    await runFlow(svc, cookie, tenant, 'I.2');
    const saved = await svc.request(`/tenants/${tenant}/activities/mapping`, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ choices: [{ activityId: 'A1', choice: 'create' }] }),
    });
    expect(saved.status).toBe(202);
    await waitForRun(svc, tenant, ((await saved.json()) as { runId: string }).runId, cookie);
    await runFlow(svc, cookie, tenant, 'I.4');
    const services = sim.sim.rows(ARCAD_TENANT, 'services');
    arcad.service = (services.find((s) => s.externalId === 'A1') as { id: string }).id;
    const legalEntity = sim.sim.rows(ARCAD_TENANT, 'legal-entities')[0] as { id: string };
    // A service of ARCAD that no LIVIA activity is synchronised with.
    arcad.otherService = sim.sim.seedService(ARCAD_TENANT, legalEntity.id, 'Accueil de jour');
    for (const c of sim.sim.rows(ARCAD_TENANT, 'clients')) arcad.clients[c.externalId as string] = c.id;
    sim.sim.live.subscribe(ARCAD_TENANT, {
      url: `http://service.test/webhooks/arcad360/${tenant}`,
      secret: SECRET,
      fetch: (url, init) => svc.request(new URL(url).pathname, init),
    });
    const sub = await svc.bus.subscribe({
      subject: 'arcad.>',
      durable: `watch-${tenant}`,
      handler: async (m) => {
        if (!m.subject.endsWith('.received') && !m.subject.includes('.flows.')) toLivia.push(m);
      },
    });
    stopWatching = () => sub.stop();
  });

  afterAll(async () => {
    await stopWatching?.();
    await svc?.stop();
    await sim?.stop();
  });

  const log = async (): Promise<{
    items: LogItem[];
    counts: Record<string, number>;
    ignoredReasons: { reason: string; count: number }[];
  }> => {
    const res = await svc.request(`/tenants/${tenant}/live/messages?limit=1000`, { headers: { cookie } });
    expect(res.status).toBe(200);
    return res.json();
  };
  /** Waits for the outcome of an ARCAD event (anything but pending). */
  const outcome = async (event: { id: string }, status?: string) =>
    waitFor(
      async () => {
        const item = (await log()).items.find((m) => m.messageId === event.id);
        return item && item.status !== 'pending' && (!status || item.status === status) ? item : null;
      },
      { what: `outcome of ARCAD message ${event.id}`, timeoutMs: 15_000, intervalMs: 50 },
    );
  /** The events LIVIA received about an ARCAD message, in order. */
  const eventsOf = async (event: { id: string }, count: number) =>
    waitFor(
      () => {
        const mine = toLivia.filter((m) => m.json<{ arcadMessageId?: string }>().arcadMessageId === event.id);
        return mine.length >= count ? mine : null;
      },
      { what: `${count} LIVIA event(s) of ${event.id}`, timeoutMs: 15_000, intervalMs: 50 },
    );
  const changeOf = (m: BusMessage) => m.subject.split('.').slice(2).join('.');
  const publishLivia = (entity: string, item: object) =>
    svc.bus.publish(ARCAD_SUBJECTS.liviaChange(tenant, entity, 'upserted'), item);
  const sendOf = async (entity: string, liviaId: string, status?: string) =>
    waitFor(
      async () => {
        const res = await svc.request(`/tenants/${tenant}/live/sends`, { headers: { cookie } });
        const items = (
          (await res.json()) as {
            items: { entity: string; liviaId: string; status: string; reason: string; attempts: number }[];
          }
        ).items;
        const item = items.find((i) => i.entity === entity && i.liviaId === liviaId);
        return item && (!status || item.status === status) ? item : null;
      },
      { what: `live send of ${entity} ${liviaId}`, timeoutMs: 15_000, intervalMs: 50 },
    );
  const live = () => sim.sim.live;
  const webhook = async (body: string, signature?: string) =>
    svc.request(`/webhooks/arcad360/${tenant}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'arcad-signature': signature } : {}) },
      body,
    });

  it('accepts only webhooks signed with the shared secret, fresh, for the linked ARCAD tenant', async () => {
    const event = {
      id: 'EV-sig-1',
      tenant: ARCAD_TENANT,
      type: 'client.updated',
      clientId: 'CL-none',
      sequence: 1,
      occurredAt: new Date().toISOString(),
      data: {},
    };
    const body = JSON.stringify(event);
    expect((await webhook(body)).status).toBe(401);
    expect((await webhook(body, await signWebhook('not-the-secret', body))).status).toBe(401);
    const stale = await webhook(body, await signWebhook(SECRET, body, Math.floor(Date.now() / 1000) - 3600));
    expect(stale.status).toBe(401);
    expect((await stale.json()).detail).toMatch(/timestamp/);
    const tampered = await webhook(body.replace('CL-none', 'CL-other'), await signWebhook(SECRET, body));
    expect(tampered.status).toBe(401);
    const otherTenant = JSON.stringify({ ...event, tenant: 'someone-else' });
    expect((await webhook(otherTenant, await signWebhook(SECRET, otherTenant))).status).toBe(403);
    const bad = JSON.stringify({ ...event, sequence: 0 });
    const invalid = await webhook(bad, await signWebhook(SECRET, bad));
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(await invalid.json())).toMatch(/sequence/);
    const ok = await webhook(body, await signWebhook(SECRET, body));
    expect(ok.status).toBe(202);
    expect((await outcome(event)).reason).toBe('resident not synchronised with LIVIA');
  });

  it("stores a signed message it cannot read as refused, so the client's later messages still apply", async () => {
    const envelope = { tenant: ARCAD_TENANT, clientId: 'CL-unread', occurredAt: new Date().toISOString() };
    const next = { ...envelope, id: 'EV-unread-2', sequence: 2, type: 'client.updated', data: {} };
    const nextBody = JSON.stringify(next);
    expect((await webhook(nextBody, await signWebhook(SECRET, nextBody))).status).toBe(202);
    const unknown = {
      ...envelope,
      id: 'EV-unread-1',
      sequence: 1,
      type: 'stay.deleted',
      data: { stayId: 'S' },
    };
    const body = JSON.stringify(unknown);
    const res = await webhook(body, await signWebhook(SECRET, body));
    expect(res.status).toBe(202);
    expect((await res.json()).refused).toMatch(/^not a message we can read: \/type/);
    expect(await outcome(unknown, 'refused')).toMatchObject({
      type: 'stay.deleted',
      reason: expect.stringMatching(/^not a message we can read: \/type/),
    });
    expect((await outcome(next)).reason).toBe('resident not synchronised with LIVIA');
  });

  it('documents the live endpoints in the OpenAPI document', async () => {
    const doc = await (await svc.request('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/webhooks/arcad360/{tenant}',
        '/tenants/{tenant}/arcad/clients/search',
        '/tenants/{tenant}/arcad/clients/{arcadId}/resident',
        '/tenants/{tenant}/arcad/users/search',
        '/tenants/{tenant}/arcad/users/{arcadId}/user',
        '/tenants/{tenant}/live/messages',
        '/tenants/{tenant}/live/messages/retry',
        '/tenants/{tenant}/live/sends',
        '/tenants/{tenant}/live/sends/retry',
      ]),
    );
  });

  it('takes back a message dead-lettered while the database was away, and applies it', async () => {
    const event = {
      id: 'EV-dead-1',
      tenant: ARCAD_TENANT,
      type: 'stay.created',
      clientId: live().createClient(ARCAD_TENANT, {
        lastName: 'LETTRE',
        firstName: 'Morte',
        birthDate: '1942-02-02',
      }),
      sequence: 1,
      occurredAt: new Date().toISOString(),
      data: { stayId: 'ST-dead', serviceId: arcad.service, startDate: PAST, endDate: null },
    };
    // What the bus does after the last failed delivery.
    await svc.bus.publish(deadLetterSubject(INBOUND_DURABLE, `arcad.${tenant}.stays.received`), {
      tenant,
      event,
    });
    expect((await outcome(event)).changes).toEqual(['residents.created', 'stays.created']);
  });

  it('applies a message delivered twice only once', async () => {
    const client = arcad.clients.R8 as string;
    const event = {
      id: 'EV-dup-1',
      tenant: ARCAD_TENANT,
      type: 'stay.created',
      clientId: client,
      sequence: 1,
      occurredAt: new Date().toISOString(),
      data: { stayId: 'ST-dup', serviceId: arcad.service, startDate: PAST },
    };
    const body = JSON.stringify(event);
    const first = await webhook(body, await signWebhook(SECRET, body));
    const second = await webhook(body, await signWebhook(SECRET, body));
    expect(await first.json()).toEqual({ accepted: true, duplicate: false });
    expect(await second.json()).toEqual({ accepted: true, duplicate: true });
    expect((await outcome(event)).changes).toEqual(['stays.created']);
    await eventsOf(event, 1);
    const rows = (await log()).items.filter((m) => m.messageId === event.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.attempts).toBe(1);
    expect(
      toLivia.filter((m) => m.json<{ arcadMessageId?: string }>().arcadMessageId === event.id),
    ).toHaveLength(1);
  });

  it('stay of a client unknown to LIVIA: creates the resident and the stay, linked', async () => {
    const clientId = live().createClient(ARCAD_TENANT, {
      lastName: 'NOUVEAU',
      firstName: 'Arlette',
      birthDate: '1940-01-12',
      sex: 'F',
      postcode: '69001',
      city: 'Lyon',
      ins: { status: 'QUAL', matricule: withInsKey('2400169123045') },
    });
    const { event } = live().admit(ARCAD_TENANT, { clientId, serviceId: arcad.service, startDate: PAST });
    expect((await outcome(event)).status).toBe('applied');
    const [created, stay] = await eventsOf(event, 2);
    expect(created?.subject).toBe(`arcad.${tenant}.residents.created`);
    expect(created?.json()).toMatchObject({
      arcadClientId: clientId,
      resident: { id: `arcad-${clientId}`, lastName: 'NOUVEAU', ins: { status: 'QUAL' } },
    });
    expect(changeOf(stay as BusMessage)).toBe('stays.created');
    expect(stay?.json()).toMatchObject({
      stay: { residentId: `arcad-${clientId}`, activityId: 'A1', startDate: PAST, endDate: null },
    });
  });

  it('stay of a known resident without a stay on the activity: creates the stay', async () => {
    const { event, stayId } = live().admit(ARCAD_TENANT, {
      clientId: arcad.clients.R1 as string,
      serviceId: arcad.service,
      startDate: PAST,
    });
    expect((await outcome(event)).changes).toEqual(['stays.created']);
    const [stay] = await eventsOf(event, 1);
    expect(stay?.json()).toMatchObject({
      stay: { liviaId: `arcad-${stayId}`, residentId: 'R1', activityId: 'A1', arcadStayId: stayId },
    });
  });

  it('stay covering a LIVIA stay in progress: updates it to match ARCAD', async () => {
    await publishLivia('stays', { id: 'S2', residentId: 'R2', activityId: 'A1', startDate: '2020-01-01' });
    await sendOf('stays', 'S2');
    const { event, stayId } = live().admit(ARCAD_TENANT, {
      clientId: arcad.clients.R2 as string,
      serviceId: arcad.service,
      startDate: '2020-02-15',
    });
    expect((await outcome(event)).changes).toEqual(['stays.updated']);
    const [updated] = await eventsOf(event, 1);
    expect(updated?.json()).toMatchObject({
      stay: { liviaId: 'S2', startDate: '2020-02-15', arcadStayId: stayId, endDate: null },
    });
  });

  it('stay covering a closed LIVIA stay: removes the closure, then updates it', async () => {
    await publishLivia('stays', {
      id: 'S3',
      residentId: 'R3',
      activityId: 'A1',
      startDate: '2019-01-01',
      endDate: '2020-12-31',
    });
    await sendOf('stays', 'S3');
    const { event } = live().admit(ARCAD_TENANT, {
      clientId: arcad.clients.R3 as string,
      serviceId: arcad.service,
      startDate: '2020-06-01',
    });
    expect((await outcome(event)).changes).toEqual(['stays.reopened', 'stays.updated']);
    const [reopened, updated] = await eventsOf(event, 2);
    expect(reopened?.json()).toMatchObject({
      stay: { liviaId: 'S3', startDate: '2019-01-01', endDate: null },
    });
    expect(updated?.json()).toMatchObject({
      stay: { liviaId: 'S3', startDate: '2020-06-01', endDate: null },
    });
  });

  it('ignores, with the reason, stays on a service that is not a synchronised activity', async () => {
    const { event } = live().admit(ARCAD_TENANT, {
      clientId: arcad.clients.R4 as string,
      serviceId: arcad.otherService,
      startDate: PAST,
    });
    const item = await outcome(event);
    expect(item.status).toBe('ignored');
    expect(item.reason).toBe(`ARCAD service ${arcad.otherService} is not a synchronised LIVIA activity`);
  });

  it('discharges: future end is the planned end, past end closes the stay', async () => {
    const { stayId, event: admitted } = live().admit(ARCAD_TENANT, {
      clientId: arcad.clients.R5 as string,
      serviceId: arcad.service,
      startDate: PAST,
    });
    await outcome(admitted);
    const planned = live().discharge(ARCAD_TENANT, stayId, FUTURE);
    expect((await outcome(planned)).changes).toEqual(['stays.end_planned']);
    expect((await eventsOf(planned, 1))[0]?.json()).toMatchObject({
      stay: { plannedEndDate: FUTURE, endDate: null },
    });
    const closed = live().discharge(ARCAD_TENANT, stayId, '2021-01-31');
    expect((await outcome(closed)).changes).toEqual(['stays.closed']);
    expect((await eventsOf(closed, 1))[0]?.json()).toMatchObject({
      stay: { endDate: '2021-01-31', plannedEndDate: null },
    });
    // Nothing in progress any more on that activity: a further discharge is ignored.
    const again = live().discharge(ARCAD_TENANT, stayId, '2021-02-28');
    expect((await outcome(again)).reason).toBe('no stay in progress on activity A1');
  });

  it('ignores the discharge of a client unknown to LIVIA, with the reason', async () => {
    const clientId = live().createClient(ARCAD_TENANT, {
      lastName: 'INCONNU',
      firstName: 'Paul',
      birthDate: '1930-01-01',
    });
    // Known to ARCAD only, on a service LIVIA does not follow: no resident is created.
    const { stayId, event } = live().admit(ARCAD_TENANT, {
      clientId,
      serviceId: arcad.otherService,
      startDate: PAST,
    });
    await outcome(event);
    const discharge = live().discharge(ARCAD_TENANT, stayId, PAST);
    expect((await outcome(discharge)).reason).toMatch(/not a synchronised LIVIA activity/);
    const onActivity = {
      id: `EV-unknown-${clientId}`,
      tenant: ARCAD_TENANT,
      type: 'stay.discharged',
      clientId,
      sequence: 3,
      occurredAt: new Date().toISOString(),
      data: { stayId, serviceId: arcad.service, endDate: PAST },
    };
    const body = JSON.stringify(onActivity);
    expect((await webhook(body, await signWebhook(SECRET, body))).status).toBe(202);
    expect((await outcome(onActivity)).reason).toBe('resident unknown to LIVIA');
  });

  it('mirrors absences AUTRE and HOSPI, ignores and counts the other types', async () => {
    const base = { clientId: arcad.clients.R1 as string, serviceId: arcad.service, startDate: '2021-03-01' };
    const created = live().absence(ARCAD_TENANT, 'created', {
      ...base,
      type: 'HOSPI',
      endDate: '2021-03-10',
    });
    expect((await outcome(created.event)).changes).toEqual(['absences.created']);
    const updated = live().absence(ARCAD_TENANT, 'updated', {
      ...base,
      absenceId: created.absenceId,
      type: 'HOSPI',
      endDate: '2021-03-20',
    });
    expect((await outcome(updated.event)).changes).toEqual(['absences.updated']);
    expect((await eventsOf(updated.event, 1))[0]?.json()).toMatchObject({
      absence: { liviaId: `arcad-${created.absenceId}`, type: 'HOSPI', endDate: '2021-03-20' },
    });
    const deleted = live().absence(ARCAD_TENANT, 'deleted', {
      ...base,
      absenceId: created.absenceId,
      type: 'HOSPI',
    });
    expect((await outcome(deleted.event)).changes).toEqual(['absences.deleted']);
    const other = live().absence(ARCAD_TENANT, 'created', { ...base, type: 'AUTRE' });
    expect((await outcome(other.event)).status).toBe('applied');
    for (let i = 0; i < 2; i++) {
      const holiday = live().absence(ARCAD_TENANT, 'created', { ...base, type: 'VACANCES' });
      expect((await outcome(holiday.event)).status).toBe('ignored');
    }
    const reasons = (await log()).ignoredReasons;
    expect(reasons).toContainEqual({
      reason: 'absence type VACANCES is not processed (only AUTRE, HOSPI)',
      count: 2,
    });
  });

  it('applies administrative changes of a synchronised resident, refuses a malformed INS', async () => {
    const clientId = arcad.clients.R6 as string;
    const renamed = live().updateClient(ARCAD_TENANT, clientId, {
      lastName: 'EPOUSE-DURAND',
      city: 'Villeurbanne',
    });
    expect((await outcome(renamed)).changes).toEqual(['residents.updated']);
    expect((await eventsOf(renamed, 1))[0]?.json()).toMatchObject({
      resident: { id: 'R6', lastName: 'EPOUSE-DURAND', city: 'Villeurbanne' },
    });
    const good = withInsKey('2350469123045');
    const broken = `${good.slice(0, 13)}${good.slice(13) === '01' ? '02' : '01'}`;
    const badIns = live().updateClient(ARCAD_TENANT, clientId, {
      ins: { status: 'VALI', matricule: broken },
    });
    const refused = await outcome(badIns);
    expect(refused.status).toBe('refused');
    expect(refused.reason).toMatch(/INS matricule key .* is wrong/);
    const corsican = live().updateClient(ARCAD_TENANT, clientId, {
      ins: { status: 'VALI', matricule: withInsKey('235042A123045') },
    });
    expect((await outcome(corsican)).status).toBe('applied');
    // The refused message told LIVIA nothing.
    expect(
      toLivia.filter((m) => m.json<{ arcadMessageId?: string }>().arcadMessageId === badIns.id),
    ).toHaveLength(0);
  });

  it("applies a client's messages in ARCAD's order whatever order they arrive in", async () => {
    const clientId = arcad.clients.R7 as string;
    const events = [
      { type: 'stay.created', data: { stayId: 'ST-ord', serviceId: arcad.service, startDate: '2021-01-01' } },
      { type: 'stay.updated', data: { stayId: 'ST-ord', serviceId: arcad.service, startDate: '2021-01-02' } },
      { type: 'stay.updated', data: { stayId: 'ST-ord', serviceId: arcad.service, startDate: '2021-01-03' } },
      {
        type: 'stay.discharged',
        data: { stayId: 'ST-ord', serviceId: arcad.service, endDate: '2021-02-01' },
      },
    ].map((e, i) => ({
      ...e,
      id: `EV-ord-${i + 1}`,
      tenant: ARCAD_TENANT,
      clientId,
      sequence: i + 1,
      occurredAt: new Date().toISOString(),
    }));
    // Delivered last first: nothing can be applied before sequence 1 is there.
    for (const e of [...events].reverse().slice(0, 3)) {
      const body = JSON.stringify(e);
      expect((await webhook(body, await signWebhook(SECRET, body))).status).toBe(202);
    }
    const waiting = await waitFor(
      async () => {
        const items = (await log()).items.filter((m) => m.messageId.startsWith('EV-ord-'));
        return items.length === 3 ? items : null;
      },
      { what: 'three stored messages', intervalMs: 50 },
    );
    expect(waiting.every((m) => m.status === 'pending')).toBe(true);
    expect(waiting[0]?.reason).toBe(`waiting for message 1 of client ${clientId}`);
    const first = JSON.stringify(events[0]);
    await webhook(first, await signWebhook(SECRET, first));
    const last = await outcome(events[3] as { id: string });
    expect(last.changes).toEqual(['stays.closed']);
    const applied = await eventsOf({ id: 'EV-ord-4' }, 1);
    expect(applied[0]?.json()).toMatchObject({ stay: { startDate: '2021-01-03', endDate: '2021-02-01' } });
    const order = toLivia
      .map((m) => m.json<{ arcadMessageId?: string }>().arcadMessageId ?? '')
      .filter((id) => id.startsWith('EV-ord-'));
    expect(order).toEqual(['EV-ord-1', 'EV-ord-2', 'EV-ord-3', 'EV-ord-4']);
  });

  it('parks a failed message with its reason, holds the later ones, and applies both on retry', async () => {
    const clientId = live().createClient(ARCAD_TENANT, {
      lastName: 'PANNE',
      firstName: 'Rose',
      birthDate: '1938-05-05',
    });
    live().addFault('get-client', 1);
    const { event, stayId } = live().admit(ARCAD_TENANT, {
      clientId,
      serviceId: arcad.service,
      startDate: PAST,
    });
    const failed = await outcome(event, 'failed');
    expect(failed.reason).toMatch(/HTTP 500/);
    expect(failed.retryable).toBe(true);
    const later = live().discharge(ARCAD_TENANT, stayId, PAST);
    await waitFor(async () => (await log()).items.find((m) => m.messageId === later.id), {
      what: 'later message stored',
    });
    expect((await log()).items.find((m) => m.messageId === later.id)?.status).toBe('pending');
    const ordinary = await loginThroughArcad(svc, 'agent');
    const refused = await svc.request(`/tenants/${tenant}/live/messages/retry`, {
      method: 'POST',
      headers: { cookie: ordinary, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [failed.id] }),
    });
    expect(refused.status).toBe(403);
    const retried = await svc.request(`/tenants/${tenant}/live/messages/retry`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ ids: [failed.id] }),
    });
    expect(await retried.json()).toEqual({ retried: 1 });
    expect((await outcome(event)).changes).toEqual(['residents.created', 'stays.created']);
    expect((await outcome(later)).changes).toEqual(['stays.closed']);
  });

  it('sends residents: creates an unsynchronised one, updates a synchronised one, never a malformed INS', async () => {
    const before = sim.sim.counters(ARCAD_TENANT).clients;
    await publishLivia('residents', { ...resident('RN1', 'LIVEDUPONT'), ins: { status: 'PROV' } });
    expect((await sendOf('residents', 'RN1', 'sent')).reason).toBe('client created and synchronised');
    const created = sim.sim.rows(ARCAD_TENANT, 'clients').find((c) => c.externalId === 'RN1');
    expect(created).toMatchObject({ lastName: 'LIVEDUPONT', active: false });
    await publishLivia('residents', { ...resident('RN1', 'LIVEDUPONT-MARTIN') });
    await waitFor(async () => (await sendOf('residents', 'RN1')).reason === 'client updated', {
      what: 'update',
    });
    expect(sim.sim.rows(ARCAD_TENANT, 'clients').find((c) => c.externalId === 'RN1')?.lastName).toBe(
      'LIVEDUPONT-MARTIN',
    );
    // Known resident R1, synchronised by I.4: updated, not created again.
    await publishLivia('residents', { ...resident('R1', 'NOMR1'), city: 'Bron' });
    await waitFor(async () => (await sendOf('residents', 'R1')).reason === 'client updated', {
      what: 'R1 update',
    });
    expect(sim.sim.rows(ARCAD_TENANT, 'clients').find((c) => c.id === arcad.clients.R1)?.city).toBe('Bron');
    await publishLivia('residents', {
      ...resident('RN2', 'MAUVAISINS'),
      ins: { status: 'QUAL', matricule: '2350469123045XX' },
    });
    const refused = await sendOf('residents', 'RN2', 'refused');
    expect(refused.reason).toMatch(/ins\/matricule: INS matricule must be/);
    expect(sim.sim.counters(ARCAD_TENANT).clients).toBe(before + 1);
  });

  it('sends a family contact with its link in one request, parks it while its resident is not synchronised', async () => {
    const contact = {
      id: 'FC1',
      residentId: 'RN3',
      lastName: 'FILS',
      firstName: 'Marc',
      relationship: 'fils',
      phone: '0600000000',
    };
    await publishLivia('family-contacts', contact);
    const parked = await sendOf('family-contacts', 'FC1', 'failed');
    expect(parked.reason).toBe('resident RN3 is not synchronised with ARCAD360 yet');
    // A failed creation also lands in the error manager.
    const errors = await svc.request(`/tenants/${tenant}/errors?q=FC1`, { headers: { cookie } });
    expect((await errors.json()).items).toEqual([
      expect.objectContaining({
        entity: 'family_contact',
        liviaId: 'FC1',
        reason: parked.reason,
        retryable: true,
      }),
    ]);
    await publishLivia('residents', resident('RN3', 'PARENT'));
    await sendOf('residents', 'RN3', 'sent');
    const retried = await svc.request(`/tenants/${tenant}/live/sends/retry`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ entity: 'family-contacts', liviaId: 'FC1' }] }),
    });
    expect(await retried.json()).toEqual({ retried: 1 });
    expect((await sendOf('family-contacts', 'FC1', 'sent')).reason).toBe('contact created with its link');
    const circle = sim.sim.rows(ARCAD_TENANT, 'personal-circle').filter((r) => r.externalId === 'FC1');
    expect(circle).toHaveLength(1);
    const clientId = sim.sim.rows(ARCAD_TENANT, 'clients').find((c) => c.externalId === 'RN3')?.id;
    expect(circle[0]).toMatchObject({ clientId, relationship: 'fils', person: { lastName: 'FILS' } });
    await publishLivia('family-contacts', { ...contact, relationship: 'fils aîné' });
    await waitFor(
      async () => (await sendOf('family-contacts', 'FC1')).reason === 'contact and link updated',
      { what: 'update' },
    );
    expect(sim.sim.rows(ARCAD_TENANT, 'personal-circle').filter((r) => r.externalId === 'FC1')).toMatchObject(
      [{ relationship: 'fils aîné' }],
    );
  });

  it('sends an intervenant once as a partner and links it to each resident separately', async () => {
    const partners = sim.sim.counters(ARCAD_TENANT).partners;
    const intervenant = {
      id: 'IV1',
      lastName: 'KINE',
      firstName: 'Luc',
      profession: 'Kinésithérapeute',
      residentIds: ['R1', 'R2'],
    };
    await publishLivia('intervenants', intervenant);
    expect((await sendOf('intervenants', 'IV1', 'sent')).reason).toBe('partner created, 2 link(s) created');
    await publishLivia('intervenants', { ...intervenant, residentIds: ['R1', 'R2', 'R3'] });
    await waitFor(async () => (await sendOf('intervenants', 'IV1')).reason === '1 link(s) created', {
      what: 'third link',
    });
    expect(sim.sim.counters(ARCAD_TENANT).partners).toBe(partners + 1);
    const links = sim.sim
      .rows(ARCAD_TENANT, 'professional-circle')
      .filter((r) => String(r.externalId).startsWith('IV1>'));
    expect(links.map((l) => l.clientId).sort()).toEqual(
      [arcad.clients.R1, arcad.clients.R2, arcad.clients.R3].sort(),
    );
  });

  it('takes back a LIVIA change dead-lettered during an outage, and sends it', async () => {
    // What the bus does after the last failed delivery (Postgres down for a minute).
    await svc.bus.publish(
      deadLetterSubject(OUTBOUND_DURABLE, ARCAD_SUBJECTS.liviaChange(tenant, 'residents', 'upserted')),
      resident('RS-dead', 'DEAD-LETTER'),
    );
    expect((await sendOf('residents', 'RS-dead', 'sent')).reason).toBe('client created and synchronised');
    expect(sim.sim.rows(ARCAD_TENANT, 'clients').find((c) => c.externalId === 'RS-dead')?.lastName).toBe(
      'DEAD-LETTER',
    );
  });

  it('keeps LIVIA events it cannot send in the sends log with the reason, never drops them silently', async () => {
    await svc.bus.publish(`livia.${tenant}.records.upserted`, { id: 'REC-1' });
    expect((await sendOf('records', 'REC-1', 'ignored')).reason).toMatch(
      /LIVIA entity "records" has no live flow to ARCAD360/,
    );
    await svc.bus.publish(`livia.${tenant}.residents.patched`, { id: 'RS-patched' });
    expect((await sendOf('residents', 'RS-patched', 'ignored')).reason).toBe(
      'unknown change "patched" (expected upserted or deleted)',
    );
    const other = uniqueTenant();
    await svc.bus.publish(ARCAD_SUBJECTS.liviaChange(other, 'residents', 'upserted'), { id: 'RS-other' });
    const [kept] = await waitFor(
      async () => {
        const rows = await svc.database.db.select().from(liveSends).where(eq(liveSends.tenant, other));
        return rows.length ? rows : null;
      },
      { what: 'the event of a tenant without the interface', timeoutMs: 15_000, intervalMs: 50 },
    );
    expect(kept).toMatchObject({ liviaId: 'RS-other', status: 'ignored' });
    expect(kept?.reason).toMatch(/has not activated the ARCAD360 interface/);
  });

  it('never lets an older LIVIA change overtake a newer one parked after an ARCAD failure', async () => {
    const base = { ...resident('RS-stale', 'NEW'), updatedAt: '2026-05-02T10:00:00Z' };
    sim.sim.addFault({ collection: 'clients', externalId: 'RS-stale', mode: 'error5xx', times: 1 });
    await publishLivia('residents', base);
    await sendOf('residents', 'RS-stale', 'failed');
    await publishLivia('residents', { ...base, lastName: 'OLD', updatedAt: '2026-05-01T10:00:00Z' });
    const parked = await waitFor(
      async () => {
        const send = await sendOf('residents', 'RS-stale');
        return /ignored since/.test(send.reason) ? send : null;
      },
      { what: 'the older change ignored', timeoutMs: 15_000, intervalMs: 50 },
    );
    expect(parked.status).toBe('failed');
    expect(parked.reason).toMatch(/ignored since: older than the version parked for a retry/);
    const clientOf = () => sim.sim.rows(ARCAD_TENANT, 'clients').find((c) => c.externalId === 'RS-stale');
    expect(clientOf()).toBeUndefined();
    const retried = await svc.request(`/tenants/${tenant}/live/sends/retry`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ entity: 'residents', liviaId: 'RS-stale' }] }),
    });
    expect(await retried.json()).toEqual({ retried: 1 });
    await sendOf('residents', 'RS-stale', 'sent');
    expect(clientOf()?.lastName).toBe('NEW');
  });

  it('sends users: the creation password becomes the temporary password, updates once synchronised', async () => {
    const user = {
      id: 'U-live-1',
      login: 'mlive',
      lastName: 'LIVE',
      firstName: 'Maud',
      email: 'maud@example.org',
      postcode: '',
      city: '',
    };
    await publishLivia('users', user);
    expect((await sendOf('users', 'U-live-1', 'refused')).reason).toMatch(/password chosen at its creation/);
    await publishLivia('users', { ...user, password: 'Choisi-2026!' });
    await sendOf('users', 'U-live-1', 'sent');
    expect(sim.sim.passwordOf('mlive')).toBe('Choisi-2026!');
    // Once sent, the creation password is not kept in the sends log.
    const [stored] = await svc.database.db.select().from(liveSends).where(eq(liveSends.liviaId, 'U-live-1'));
    expect(stored?.payload).toMatchObject({ login: 'mlive' });
    expect(stored?.payload).not.toHaveProperty('password');
    const arcadUser = sim.sim.rows(ARCAD_TENANT, 'users').find((u) => u.externalId === 'U-live-1');
    expect(arcadUser).toMatchObject({
      email: '',
      postcode: '99999',
      city: 'LIVIA',
      mustChangePassword: true,
    });
    await publishLivia('users', { ...user, lastName: 'LIVE-MARTIN' });
    await waitFor(async () => (await sendOf('users', 'U-live-1')).reason === 'user updated', {
      what: 'user update',
    });
    expect(sim.sim.rows(ARCAD_TENANT, 'users').find((u) => u.externalId === 'U-live-1')?.lastName).toBe(
      'LIVE-MARTIN',
    );
    // A change LIVIA made earlier, arriving after a later one (another replica, a redelivery), is not sent.
    const lastNameInArcad = () =>
      sim.sim.rows(ARCAD_TENANT, 'users').find((u) => u.externalId === 'U-live-1')?.lastName;
    await publishLivia('users', { ...user, lastName: 'LIVE-NEW', updatedAt: '2026-05-02T10:00:00Z' });
    await waitFor(() => lastNameInArcad() === 'LIVE-NEW', { what: 'newer update' });
    await publishLivia('users', { ...user, lastName: 'LIVE-OLD', updatedAt: '2026-05-01T10:00:00Z' });
    expect((await sendOf('users', 'U-live-1', 'ignored')).reason).toMatch(
      /older than the version already processed/,
    );
    expect(lastNameInArcad()).toBe('LIVE-NEW');
  });

  it('search before create: finds ARCAD clients and users, creates the LIVIA entity already linked', async () => {
    const clientId = live().createClient(ARCAD_TENANT, {
      lastName: 'ÉTIENNE',
      firstName: 'Lucie',
      birthDate: '1944-08-08',
      sex: 'F',
      postcode: '38000',
      city: 'Grenoble',
    });
    const livia = { authorization: `Bearer ${LIVIA_TOKEN}` };
    /** The criteria travel in the body: a resident's name never goes into our URLs. */
    const search = (what: 'clients' | 'users', criteria: object, headers: object = livia) =>
      svc.request(`/tenants/${tenant}/arcad/${what}/search`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(criteria),
      });
    expect((await search('clients', { lastName: 'étienne' }, {})).status).toBe(401);
    const misspelt = await search('clients', { lastName: 'étienne', birthdate: '1944-08-08' });
    expect(misspelt.status).toBe(400);
    expect(JSON.stringify(await misspelt.json())).toContain('birthdate');
    const found = await search('clients', { lastName: 'étienne', birthDate: '1944-08-08' });
    expect(found.status).toBe(200);
    const { items } = (await found.json()) as { items: { arcadId: string; liviaId: string | null }[] };
    expect(items).toEqual([
      expect.objectContaining({ arcadId: clientId, lastName: 'ÉTIENNE', liviaId: null }),
    ]);
    const none = await search('clients', { lastName: 'étienne', birthDate: '1950-01-01' });
    expect((await none.json()).items).toEqual([]);
    const create = () =>
      svc.request(`/tenants/${tenant}/arcad/clients/${clientId}/resident`, {
        method: 'POST',
        headers: { ...livia, 'content-type': 'application/json' },
        body: JSON.stringify({ liviaId: 'R-from-arcad' }),
      });
    // ARCAD failing is not "no such client": 502 with the reason, 404 only on ARCAD's own 404.
    live().addFault('get-client', 1);
    const failing = await create();
    expect(failing.status).toBe(502);
    expect((await failing.json()).detail).toMatch(/ARCAD360 could not be asked for client .*HTTP 500/);
    const missing = await svc.request(`/tenants/${tenant}/arcad/clients/CL-nobody/resident`, {
      method: 'POST',
      headers: { ...livia, 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(missing.status).toBe(404);
    expect((await missing.json()).detail).toBe('no ARCAD360 client CL-nobody');
    const created = await create();
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: 'R-from-arcad',
      lastName: 'ÉTIENNE',
      birthDate: '1944-08-08',
      city: 'Grenoble',
    });
    expect((await create()).status).toBe(409);
    const again = await search('clients', { lastName: 'étienne' });
    expect((await again.json()).items[0].liviaId).toBe('R-from-arcad');
    // Linked: a stay in ARCAD now lands on that resident instead of creating another one.
    const { event } = live().admit(ARCAD_TENANT, { clientId, serviceId: arcad.service, startDate: PAST });
    expect((await outcome(event)).changes).toEqual(['stays.created']);
    await waitFor(
      () =>
        toLivia.find(
          (m) =>
            m.subject.endsWith('.residents.created') &&
            m.json<{ resident: { id: string } }>().resident.id === 'R-from-arcad',
        ),
      {
        what: 'residents.created event for LIVIA',
      },
    );

    const users = await search('users', { lastName: 'live-new' });
    const userItems = (await users.json()).items as { arcadId: string; liviaId: string | null }[];
    expect(userItems).toEqual([expect.objectContaining({ login: 'mlive', liviaId: 'U-live-1' })]);
    // A user that exists in ARCAD only (created there by its administrators).
    const inArcad = await sim.sim.app.request(`/api/v1/tenants/${ARCAD_TENANT}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SIM_API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        login: 'cgrand',
        lastName: 'GRANDJEAN',
        firstName: 'Claire',
        postcode: '69007',
        city: 'Lyon',
        profile: 'AUTRE_UTILISATEUR_METIER',
        email: 'claire@example.org',
      }),
    });
    const arcadUserId = ((await inArcad.json()) as { id: string }).id;
    const matches = await search('users', { lastName: 'grandjean', firstName: 'cl' });
    expect((await matches.json()).items).toEqual([
      expect.objectContaining({ arcadId: arcadUserId, login: 'cgrand', liviaId: null }),
    ]);
    const createUser = () =>
      svc.request(`/tenants/${tenant}/arcad/users/${arcadUserId}/user`, {
        method: 'POST',
        headers: { ...livia, 'content-type': 'application/json' },
        body: '{}',
      });
    const createdUser = await createUser();
    expect(createdUser.status).toBe(201);
    expect(await createdUser.json()).toMatchObject({
      id: `arcad-${arcadUserId}`,
      login: 'cgrand',
      lastName: 'GRANDJEAN',
      email: 'claire@example.org',
      city: 'Lyon',
    });
    expect((await createUser()).status).toBe(409);
    await waitFor(() => toLivia.find((m) => m.subject === `arcad.${tenant}.users.created`), {
      what: 'users.created event for LIVIA',
    });
    const arcadOnly = live().createClient(ARCAD_TENANT, {
      lastName: 'X',
      firstName: 'Y',
      birthDate: 'not-a-date',
    });
    const invalid = await svc.request(`/tenants/${tenant}/arcad/clients/${arcadOnly}/resident`, {
      method: 'POST',
      headers: { ...livia, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).detail).toMatch(/birthDate/);
  });

  it('deletes applied and ignored messages past the retention, keeps refused and failed ones, and goes on in order', async () => {
    const db = svc.database.db;
    // A message still failed, as old as the others: it waits for a retry whatever its age.
    await db.insert(liveMessages).values({
      tenant,
      messageId: 'EV-ret-failed',
      clientId: 'C-retention',
      sequence: 1,
      kind: 'stays',
      payload: { type: 'stay.created' },
      status: 'failed',
      reason: 'ARCAD360 answered HTTP 500',
      retryable: true,
    });
    await db
      .update(liveMessages)
      .set({ processedAt: sql`now() - interval '31 days'` })
      .where(eq(liveMessages.tenant, tenant));
    const before = (await log()).counts;
    expect(before).toMatchObject({
      applied: expect.any(Number),
      ignored: expect.any(Number),
      refused: expect.any(Number),
      failed: 1,
    });

    expect(await purgeSettledMessages(db, 32 * 24 * 3_600_000)).toBe(0);
    expect(await purgeSettledMessages(db, DEFAULT_LOG_RETENTION_MS)).toBe(
      (before.applied ?? 0) + (before.ignored ?? 0),
    );
    expect((await log()).counts).toEqual({ refused: before.refused, failed: 1 });

    // Client R7's messages 1 to 4 are gone from the log, not its place in ARCAD's order.
    const clientId = arcad.clients.R7 as string;
    const next = {
      id: 'EV-ret-5',
      tenant: ARCAD_TENANT,
      type: 'stay.created',
      clientId,
      sequence: 5,
      occurredAt: new Date().toISOString(),
      data: { stayId: 'ST-ret', serviceId: arcad.service, startDate: '2022-01-01' },
    };
    const late = { ...next, id: 'EV-ret-late', sequence: 2 };
    for (const e of [next, late]) {
      const body = JSON.stringify(e);
      expect((await webhook(body, await signWebhook(SECRET, body))).status).toBe(202);
    }
    expect((await outcome(next)).status).toBe('applied');
    expect((await outcome(late)).reason).toBe('sequence 2 of this client was already applied');
  });
});
