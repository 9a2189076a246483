import type { Context } from 'hono';
import { Hono } from 'hono';
import { createArcadLive } from './webhooks.ts';

/**
 * A faithful-enough ARCAD360 over real HTTP, following the contract assumed in the README:
 * the same validations that make the seed's rules necessary (postcode and city required, no
 * e-mail together with a temporary password, a service belongs to an existing legal entity...),
 * lookups by `externalId`, and injectable faults so that every error path is real.
 */

export type FaultMode = 'error5xx' | 'timeout' | 'reject' | 'lose-response';

export interface Fault {
  /** Collection the fault applies to: users, legal-entities, services, clients, records, personal-circle, partners, professional-circle. */
  collection: string;
  mode: FaultMode;
  /** Only for this LIVIA id (the externalId of the request); any when absent. */
  externalId?: string;
  /** How many requests it hits; unlimited when absent. */
  times?: number;
  /** For `reject`: the field named in the 422 answer. */
  field?: string;
  /** For `timeout`: how long the answer is held. Default 30 s. */
  delayMs?: number;
}

export const COLLECTIONS = [
  'users',
  'legal-entities',
  'services',
  'clients',
  'records',
  'personal-circle',
  'partners',
  'professional-circle',
] as const;
export type Collection = (typeof COLLECTIONS)[number];

type Row = Record<string, unknown> & { id: string; externalId?: string | null };

interface TenantStore {
  rows: Record<Collection, Map<string, Row>>;
  /** Successful creations per collection: tests check that nothing was created twice. */
  created: Record<Collection, number>;
}

export const USER_PROFILES = ['AUTRE_UTILISATEUR_METIER', 'PARTENAIRE', 'ADMINISTRATEUR'];

export interface ArcadSimulatorOptions {
  apiToken: string;
  tenants?: string[];
  /** Added to every answer, to make flows observable (and interruptible) in tests. */
  latencyMs?: number;
}

export function createArcadSimulator(options: ArcadSimulatorOptions) {
  const tenants = new Map<string, TenantStore>();
  const faults: Fault[] = [];
  const passwords = new Map<string, string>();
  let seq = 0;
  let latencyMs = options.latencyMs ?? 0;
  /** While set, creations wait for its release: tests hold a run in flight without guessing a delay. */
  let gate: { opened: Promise<void>; waiting: number } | null = null;
  const tenantCheckListeners: ((tenant: string) => void)[] = [];

  const addTenant = (name: string) => {
    if (!tenants.has(name))
      tenants.set(name, {
        rows: Object.fromEntries(COLLECTIONS.map((c) => [c, new Map()])) as TenantStore['rows'],
        created: Object.fromEntries(COLLECTIONS.map((c) => [c, 0])) as TenantStore['created'],
      });
    return tenants.get(name) as TenantStore;
  };
  for (const t of options.tenants ?? []) addTenant(t);

  const takeFault = (collection: string, externalId: unknown) => {
    const index = faults.findIndex(
      (f) => f.collection === collection && (f.externalId === undefined || f.externalId === externalId),
    );
    if (index < 0) return undefined;
    const fault = faults[index] as Fault;
    if (fault.times !== undefined && --fault.times <= 0) faults.splice(index, 1);
    return fault;
  };

  const reject = (c: Context, field: string, message: string) =>
    c.json({ error: 'VALIDATION', errors: [{ field, message }] }, 422);

  const app = new Hono();

  app.use('/api/*', async (c, next) => {
    if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));
    if (c.req.header('authorization') !== `Bearer ${options.apiToken}`)
      return c.json({ error: 'UNAUTHORIZED', message: 'missing or wrong API token' }, 401);
    return next();
  });

  app.get('/api/v1/health', (c) => c.json({ status: 'ok' }));

  const store = (c: Context) => tenants.get(c.req.param('tenant') ?? '');

  /** One creation endpoint: tenant, faults, validation, then the row. */
  const create = (
    collection: Collection,
    validate: (body: Record<string, unknown>, t: TenantStore, c: Context) => Response | undefined,
    build: (body: Record<string, unknown>, c: Context) => Record<string, unknown> = (b) => b,
  ) =>
    async function createRow(c: Context) {
      const t = store(c);
      if (!t) return c.json({ error: 'UNKNOWN_TENANT', message: 'unknown tenant' }, 404);
      let body: Record<string, unknown>;
      try {
        body = (await c.req.json()) as Record<string, unknown>;
      } catch {
        return c.json({ error: 'BAD_JSON', message: 'body is not JSON' }, 400);
      }
      if (gate) {
        gate.waiting++;
        await gate.opened;
      }
      const fault = takeFault(collection, body.externalId);
      if (fault?.mode === 'error5xx')
        return c.json({ error: 'INTERNAL', message: 'ARCAD360 internal error' }, 500);
      if (fault?.mode === 'timeout') {
        await new Promise((r) => setTimeout(r, fault.delayMs ?? 30_000));
        return c.json({ error: 'UNAVAILABLE', message: 'too slow' }, 503);
      }
      if (fault?.mode === 'reject')
        return reject(c, fault.field ?? 'unknown', 'rejected by ARCAD360 (injected)');
      const refused = validate(body, t, c);
      if (refused) return refused;
      const id = `${collection.slice(0, 2).toUpperCase()}${(++seq).toString().padStart(7, '0')}`;
      const row = { ...build(body, c), id } as Row;
      t.rows[collection].set(id, row);
      t.created[collection]++;
      // The creation is committed, but the caller never learns it: the case that makes
      // idempotent retries necessary.
      if (fault?.mode === 'lose-response') return c.json({ error: 'GATEWAY_TIMEOUT' }, 504);
      return c.json(row, 201);
    };

  const required = (body: Record<string, unknown>, fields: string[]) =>
    fields.find((f) => typeof body[f] !== 'string' || (body[f] as string).trim() === '');

  const list = (collection: Collection, match?: (row: Row, q: URLSearchParams) => boolean) =>
    function listRows(c: Context) {
      const t = store(c);
      if (!t) return c.json({ error: 'UNKNOWN_TENANT', message: 'unknown tenant' }, 404);
      const q = new URL(c.req.url).searchParams;
      const externalId = q.get('externalId');
      const items = [...t.rows[collection].values()].filter(
        (row) => (externalId === null || row.externalId === externalId) && (!match || match(row, q)),
      );
      return c.json({ items: items.slice(0, 100), total: items.length });
    };

  const textMatch = (row: Row, q: URLSearchParams) => {
    const text = q.get('q')?.toLowerCase();
    return !text || JSON.stringify(row).toLowerCase().includes(text);
  };

  const base = '/api/v1/tenants/:tenant';

  app.get(base, (c) => {
    const t = store(c);
    for (const listener of tenantCheckListeners) listener(c.req.param('tenant') ?? '');
    return t
      ? c.json({ name: c.req.param('tenant') })
      : c.json({ error: 'UNKNOWN_TENANT', message: 'unknown tenant' }, 404);
  });

  app.post(
    `${base}/users`,
    create(
      'users',
      (b, t, c) => {
        const missing = required(b, ['login', 'lastName', 'firstName', 'postcode', 'city', 'profile']);
        if (missing) return reject(c, missing, 'required');
        if (!/^\d{5}$/.test(String(b.postcode))) return reject(c, 'postcode', 'must be 5 digits');
        if (!USER_PROFILES.includes(String(b.profile))) return reject(c, 'profile', 'unknown profile');
        if (b.email && b.temporaryPassword)
          return reject(c, 'email', 'an account with a temporary password cannot have an e-mail');
        if ([...t.rows.users.values()].some((u) => u.login === b.login))
          return c.json({ error: 'CONFLICT', message: `login ${String(b.login)} already exists` }, 409);
        return undefined;
      },
      (b) => {
        const { temporaryPassword, ...rest } = b;
        // Never listed back: ARCAD keeps passwords to itself (tests read them through passwordOf).
        passwords.set(String(b.login), String(temporaryPassword ?? ''));
        return { ...rest, mustChangePassword: Boolean(temporaryPassword) };
      },
    ),
  );
  app.get(`${base}/users`, list('users', textMatch));

  app.post(
    `${base}/legal-entities`,
    create('legal-entities', (b, _t, c) => {
      const missing = required(b, ['name', 'postcode', 'city']);
      return missing ? reject(c, missing, 'required') : undefined;
    }),
  );
  app.get(`${base}/legal-entities`, list('legal-entities'));
  app.get(`${base}/legal-entities/:id/services`, (c) => {
    const t = store(c);
    if (!t) return c.json({ error: 'UNKNOWN_TENANT' }, 404);
    const id = c.req.param('id');
    if (!t.rows['legal-entities'].has(id))
      return c.json({ error: 'NOT_FOUND', message: 'no such legal entity' }, 404);
    const items = [...t.rows.services.values()].filter((s) => s.legalEntityId === id);
    return c.json({ items, total: items.length });
  });

  app.post(
    `${base}/services`,
    create('services', (b, t, c) => {
      const missing = required(b, ['name', 'legalEntityId']);
      if (missing) return reject(c, missing, 'required');
      if (!t.rows['legal-entities'].has(String(b.legalEntityId)))
        return reject(c, 'legalEntityId', 'unknown legal entity');
      return undefined;
    }),
  );
  app.get(`${base}/services`, list('services'));

  app.post(
    `${base}/clients`,
    create('clients', (b, _t, c) => {
      const missing = required(b, ['lastName', 'firstName', 'birthDate', 'postcode', 'city']);
      if (missing) return reject(c, missing, 'required');
      if (typeof b.active !== 'boolean') return reject(c, 'active', 'must be a boolean');
      return undefined;
    }),
  );
  app.get(`${base}/clients`, list('clients', textMatch));

  app.post(
    `${base}/records`,
    create('records', (b, t, c) => {
      if (!t.rows.clients.has(String(b.clientId))) return reject(c, 'clientId', 'unknown client');
      if (!t.rows.services.has(String(b.serviceId))) return reject(c, 'serviceId', 'unknown service');
      return undefined;
    }),
  );
  app.get(`${base}/records`, list('records'));

  app.post(
    `${base}/clients/:clientId/personal-circle`,
    create(
      'personal-circle',
      (b, t, c) => {
        if (!t.rows.clients.has(c.req.param('clientId') ?? ''))
          return reject(c, 'clientId', 'unknown client');
        const person = b.person as Record<string, unknown> | undefined;
        if (!person || typeof person.lastName !== 'string' || !person.lastName)
          return reject(c, 'person.lastName', 'required');
        if (!required(b, ['relationship'])) return undefined;
        return reject(c, 'relationship', 'required');
      },
      (b, c) => ({
        ...b,
        clientId: c.req.param('clientId'),
        personId: `PE${(++seq).toString().padStart(7, '0')}`,
      }),
    ),
  );
  app.get(`${base}/personal-circle`, list('personal-circle'));

  app.post(
    `${base}/partners`,
    create('partners', (b, _t, c) => {
      const missing = required(b, ['lastName', 'profession']);
      return missing ? reject(c, missing, 'required') : undefined;
    }),
  );
  app.get(`${base}/partners`, list('partners', textMatch));

  app.post(
    `${base}/clients/:clientId/professional-circle`,
    create(
      'professional-circle',
      (b, t, c) => {
        if (!t.rows.clients.has(c.req.param('clientId') ?? ''))
          return reject(c, 'clientId', 'unknown client');
        if (!t.rows.partners.has(String(b.partnerId))) return reject(c, 'partnerId', 'unknown partner');
        return undefined;
      },
      (b, c) => ({ ...b, clientId: c.req.param('clientId') }),
    ),
  );
  app.get(`${base}/professional-circle`, list('professional-circle'));

  app.get(`${base}/search`, (c) => {
    const t = store(c);
    if (!t) return c.json({ error: 'UNKNOWN_TENANT' }, 404);
    const q = new URL(c.req.url).searchParams;
    const items = (['clients', 'users', 'partners'] as const).flatMap((kind) =>
      [...t.rows[kind].values()].filter((r) => textMatch(r, q)).map((r) => ({ kind, ...r })),
    );
    return c.json({ items: items.slice(0, 50), total: items.length });
  });

  // Live side (webhooks, client reads and updates): sim/webhooks.ts.
  const live = createArcadLive({
    app,
    base,
    rows: (tenant, collection) => tenants.get(tenant)?.rows[collection as Collection],
    nextId: (prefix) => `${prefix}${(++seq).toString().padStart(7, '0')}`,
  });

  // Control surface for tests and the demo: faults, counters, tenants.
  app.post('/__sim/faults', async (c) => {
    faults.push((await c.req.json()) as Fault);
    return c.json({ faults }, 201);
  });
  app.delete('/__sim/faults', (c) => {
    faults.length = 0;
    return c.body(null, 204);
  });
  app.get('/__sim/counters/:tenant', (c) => {
    const t = tenants.get(c.req.param('tenant'));
    return t ? c.json(t.created) : c.json({ error: 'UNKNOWN_TENANT' }, 404);
  });
  // What a newcomer following the index page's link sees: the tenants, what was created, the faults armed.
  app.get('/', (c) =>
    c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ARCAD360 simulator</title></head><body><h1>ARCAD360 simulator</h1><p>REST API under <code>/api/v1/tenants/{tenant}/</code> (bearer token, see the README), health at <code>/api/v1/health</code>.</p><table><thead><tr><th>Tenant</th>${COLLECTIONS.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${[
        ...tenants.entries(),
      ]
        .map(
          ([name, t]) =>
            `<tr data-tenant="${escapeHtml(name)}"><td>${escapeHtml(name)}</td>${COLLECTIONS.map((c) => `<td>${t.created[c]}</td>`).join('')}</tr>`,
        )
        .join(
          '',
        )}</tbody></table><h2>Faults armed</h2>${faults.length === 0 ? '<p>none</p>' : `<ul>${faults.map((f) => `<li>${escapeHtml(f.mode)} on ${escapeHtml(f.collection)}${f.externalId ? ` for ${escapeHtml(f.externalId)}` : ''}${f.times !== undefined ? `, ${f.times} more time(s)` : ''}</li>`).join('')}</ul>`}</body></html>`,
    ),
  );

  return {
    app,
    live,
    addTenant,
    addFault: (fault: Fault) => faults.push({ ...fault }),
    clearFaults: () => {
      faults.length = 0;
    },
    /**
     * Holds every creation until `release()`: a test reads the service while a run is in flight.
     * `waiting()` counts the creations that arrived at the gate.
     */
    holdCreations() {
      let release = () => {};
      const held = { opened: new Promise<void>((r) => (release = r)), waiting: 0 };
      gate = held;
      return {
        waiting: () => held.waiting,
        release() {
          if (gate === held) gate = null;
          release();
        },
      };
    },
    /** Called whenever someone asks whether a tenant exists (arcad-sync does so when activating one). */
    onTenantChecked(listener: (tenant: string) => void) {
      tenantCheckListeners.push(listener);
    },
    setLatency: (ms: number) => {
      latencyMs = ms;
    },
    counters: (tenant: string) => ({ ...(tenants.get(tenant)?.created ?? {}) }) as Record<Collection, number>,
    rows: (tenant: string, collection: Collection) => [
      ...(tenants.get(tenant)?.rows[collection].values() ?? []),
    ],
    passwordOf: (login: string) => passwords.get(login),
    /** Seeds an existing ARCAD service under a legal entity, as the mapping screen proposes it. */
    seedService: (tenant: string, legalEntityId: string, name: string) => {
      const id = `SE${(++seq).toString().padStart(7, '0')}`;
      addTenant(tenant).rows.services.set(id, { id, legalEntityId, name, code: '', externalId: null });
      return id;
    },
  };
}

export type ArcadSimulator = ReturnType<typeof createArcadSimulator>;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
