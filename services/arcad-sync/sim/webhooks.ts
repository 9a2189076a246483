import type { Context, Hono } from 'hono';
import type { ArcadEvent } from '../src/live/messages.ts';
import { SIGNATURE_HEADER, signWebhook } from '../src/live/signature.ts';

/**
 * The live side of the ARCAD360 simulator: what ARCAD users do (admit a client to a service,
 * discharge, absences, edit a client) and the signed webhooks ARCAD sends about it, plus the
 * read/update endpoints the live flows use (`GET/PUT clients/{id}`, `PUT users/{id}`,
 * `PUT partners/{id}`, `PUT personal-circle/{id}`).
 *
 * Webhooks follow the README's contract: one subscription per tenant and target URL, a
 * per-client gap-free `sequence`, retried until answered 2xx. Delivery is concurrent (like a
 * real sender), so a client's events may arrive out of order: the receiver must cope.
 */

type Row = Record<string, unknown> & { id: string };

export interface WebhookTarget {
  url: string;
  secret: string;
  /** Sends the request (defaults to `fetch`); tests route it to an in-process app. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
}

export interface LiveOptions {
  app: Hono;
  base: string;
  /** A tenant's rows of a collection (live objects: updates mutate them), or undefined. */
  rows: (tenant: string, collection: string) => Map<string, Row> | undefined;
  nextId: (prefix: string) => string;
}

export type LiveFaultRoute = 'get-client' | 'put-client' | 'put-user' | 'put-partner' | 'put-personal-circle';

export function createArcadLive(options: LiveOptions) {
  const { app, base } = options;
  const targets = new Map<string, WebhookTarget[]>();
  const sequences = new Map<string, number>();
  const stays = new Map<
    string,
    {
      tenant: string;
      id: string;
      clientId: string;
      serviceId: string;
      startDate: string;
      endDate: string | null;
    }
  >();
  const absences = new Map<
    string,
    {
      tenant: string;
      id: string;
      clientId: string;
      serviceId: string;
      type: string;
      startDate: string;
      endDate: string | null;
    }
  >();
  const faults: { route: LiveFaultRoute; times: number }[] = [];
  const inFlight = new Set<Promise<void>>();
  const delivered: { tenant: string; id: string; attempts: number; status: number }[] = [];
  let deliveryConcurrency = 4;
  let queue: (() => Promise<void>)[] = [];
  let active = 0;

  const takeFault = (route: LiveFaultRoute) => {
    const f = faults.find((x) => x.route === route);
    if (!f) return false;
    if (--f.times <= 0) faults.splice(faults.indexOf(f), 1);
    return true;
  };

  const pump = () => {
    while (active < deliveryConcurrency && queue.length > 0) {
      const job = queue.shift() as () => Promise<void>;
      active++;
      const p = job().finally(() => {
        active--;
        inFlight.delete(p);
        pump();
      });
      inFlight.add(p);
    }
  };

  /** Delivers one event to one target, retrying with a short backoff until it is answered 2xx. */
  const deliver = async (tenant: string, target: WebhookTarget, event: ArcadEvent) => {
    const body = JSON.stringify(event);
    for (let attempt = 1; attempt <= 30; attempt++) {
      let status = 0;
      try {
        const res = await (target.fetch ?? fetch)(target.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: await signWebhook(target.secret, body),
          },
          body,
        });
        status = res.status;
        await res.body?.cancel();
      } catch {
        status = 0;
      }
      if (status >= 200 && status < 300) {
        delivered.push({ tenant, id: event.id, attempts: attempt, status });
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 1_000)));
    }
    delivered.push({ tenant, id: event.id, attempts: 30, status: -1 });
  };

  const emit = (
    tenant: string,
    clientId: string,
    type: ArcadEvent['type'],
    data: Record<string, unknown>,
  ) => {
    const key = `${tenant}/${clientId}`;
    const sequence = (sequences.get(key) ?? 0) + 1;
    sequences.set(key, sequence);
    const event = {
      id: options.nextId('EV'),
      tenant,
      type,
      clientId,
      sequence,
      occurredAt: new Date().toISOString(),
      data,
    } as ArcadEvent;
    for (const target of targets.get(tenant) ?? []) {
      queue.push(() => deliver(tenant, target, event));
    }
    pump();
    return event;
  };

  const clientOf = (tenant: string, clientId: string) => {
    const client = options.rows(tenant, 'clients')?.get(clientId);
    if (!client) throw new Error(`no client ${clientId} in ARCAD tenant ${tenant}`);
    return client;
  };

  // REST endpoints the live flows use.
  const found = (c: Context, collection: string) => {
    const rows = options.rows(c.req.param('tenant') ?? '', collection);
    if (!rows) return { error: c.json({ error: 'UNKNOWN_TENANT', message: 'unknown tenant' }, 404) };
    const row = rows.get(c.req.param('id') ?? '');
    if (!row) return { error: c.json({ error: 'NOT_FOUND', message: `no such ${collection} entry` }, 404) };
    return { row };
  };
  app.get(`${base}/clients/:id`, (c) => {
    if (takeFault('get-client'))
      return c.json({ error: 'INTERNAL', message: 'ARCAD360 internal error' }, 500);
    const { row, error } = found(c, 'clients');
    return error ?? c.json(row);
  });
  const update =
    (
      collection: string,
      route: LiveFaultRoute,
      check?: (body: Record<string, unknown>, row: Row) => string | null,
    ) =>
    async (c: Context) => {
      if (takeFault(route)) return c.json({ error: 'INTERNAL', message: 'ARCAD360 internal error' }, 500);
      const { row, error } = found(c, collection);
      if (error) return error;
      const body = (await c.req.json()) as Record<string, unknown>;
      const problem = check?.(body, row as Row);
      if (problem)
        return c.json(
          { error: 'VALIDATION', errors: [{ field: problem.split(':')[0], message: problem }] },
          422,
        );
      const { id: _id, ...rest } = body;
      Object.assign(row as Row, rest, { updatedAt: new Date().toISOString() });
      return c.json(row);
    };
  app.put(
    `${base}/clients/:id`,
    update('clients', 'put-client', (b) =>
      ['lastName', 'firstName', 'birthDate'].find((f) => typeof b[f] !== 'string' || !b[f])
        ? 'lastName: lastName, firstName and birthDate are required'
        : null,
    ),
  );
  app.put(
    `${base}/users/:id`,
    update('users', 'put-user', (b, row) =>
      b.temporaryPassword
        ? 'temporaryPassword: cannot be changed by an update'
        : b.email && row.mustChangePassword
          ? 'email: an account with a temporary password cannot have an e-mail'
          : null,
    ),
  );
  app.put(`${base}/partners/:id`, update('partners', 'put-partner'));
  app.put(`${base}/personal-circle/:id`, update('personal-circle', 'put-personal-circle'));

  // What ARCAD users do, each followed by its webhook. Also over HTTP for the demo.
  const actions = {
    subscribe(tenant: string, target: WebhookTarget) {
      targets.set(tenant, [...(targets.get(tenant) ?? []), target]);
    },
    unsubscribeAll(tenant: string) {
      targets.delete(tenant);
    },
    /** A client created directly in ARCAD (unknown to LIVIA). */
    createClient(tenant: string, client: Record<string, unknown>) {
      const rows = options.rows(tenant, 'clients');
      if (!rows) throw new Error(`unknown ARCAD tenant ${tenant}`);
      const id = options.nextId('CL');
      rows.set(id, { externalId: null, postcode: '', city: '', sex: 'U', active: true, ...client, id });
      return id;
    },
    updateClient(tenant: string, clientId: string, changes: Record<string, unknown>) {
      Object.assign(clientOf(tenant, clientId), changes);
      return emit(tenant, clientId, 'client.updated', {});
    },
    admit(
      tenant: string,
      stay: { clientId: string; serviceId: string; startDate: string; endDate?: string | null },
    ) {
      clientOf(tenant, stay.clientId).active = true;
      const id = options.nextId('ST');
      stays.set(id, { tenant, id, endDate: null, ...stay });
      return {
        stayId: id,
        event: emit(tenant, stay.clientId, 'stay.created', {
          stayId: id,
          serviceId: stay.serviceId,
          startDate: stay.startDate,
          endDate: stay.endDate ?? null,
        }),
      };
    },
    updateStay(tenant: string, stayId: string, changes: { startDate?: string; endDate?: string | null }) {
      const stay = stays.get(stayId);
      if (!stay) throw new Error(`no stay ${stayId}`);
      Object.assign(stay, changes);
      return emit(tenant, stay.clientId, 'stay.updated', {
        stayId,
        serviceId: stay.serviceId,
        startDate: stay.startDate,
        endDate: stay.endDate,
      });
    },
    discharge(tenant: string, stayId: string, endDate: string) {
      const stay = stays.get(stayId);
      if (!stay) throw new Error(`no stay ${stayId}`);
      stay.endDate = endDate;
      return emit(tenant, stay.clientId, 'stay.discharged', { stayId, serviceId: stay.serviceId, endDate });
    },
    absence(
      tenant: string,
      change: 'created' | 'updated' | 'deleted',
      absence: {
        absenceId?: string;
        clientId: string;
        serviceId: string;
        type: string;
        startDate: string;
        endDate?: string | null;
      },
    ) {
      const id = absence.absenceId ?? options.nextId('AB');
      const row = { tenant, id, endDate: null, ...absence };
      if (change === 'deleted') absences.delete(id);
      else absences.set(id, row);
      const event = emit(tenant, absence.clientId, `absence.${change}`, {
        absenceId: id,
        serviceId: absence.serviceId,
        type: absence.type,
        startDate: absence.startDate,
        endDate: absence.endDate ?? null,
      });
      return { absenceId: id, event };
    },
    /** Injects failures on the live REST endpoints (answers 500 `times` times). */
    addFault(route: LiveFaultRoute, times = 1) {
      faults.push({ route, times });
    },
    setDeliveryConcurrency(n: number) {
      deliveryConcurrency = Math.max(1, n);
    },
    /** Resolves once every emitted webhook was delivered (or given up). */
    async flush() {
      while (inFlight.size > 0 || queue.length > 0)
        await Promise.race([...inFlight, new Promise((r) => setTimeout(r, 10))]);
    },
    deliveries: () => [...delivered],
    stays: () => [...stays.values()],
    clear() {
      queue = [];
    },
  };

  app.post('/__sim/live/:tenant/webhooks', async (c) => {
    const body = (await c.req.json()) as { url: string; secret: string };
    actions.subscribe(c.req.param('tenant'), { url: body.url, secret: body.secret });
    return c.json({ subscribed: body.url }, 201);
  });
  app.post('/__sim/live/:tenant/:action', async (c) => {
    const tenant = c.req.param('tenant');
    const b = (await c.req.json()) as Record<string, string>;
    try {
      switch (c.req.param('action')) {
        case 'admit':
          return c.json(actions.admit(tenant, b as never), 201);
        case 'discharge':
          return c.json(actions.discharge(tenant, b.stayId as string, b.endDate as string), 201);
        case 'absence':
          return c.json(actions.absence(tenant, (b.change ?? 'created') as 'created', b as never), 201);
        case 'client':
          return c.json(actions.updateClient(tenant, b.clientId as string, b), 201);
        default:
          return c.json({ error: 'NOT_FOUND' }, 404);
      }
    } catch (error) {
      return c.json({ error: 'BAD_REQUEST', message: (error as Error).message }, 400);
    }
  });

  return actions;
}

export type ArcadLive = ReturnType<typeof createArcadLive>;
