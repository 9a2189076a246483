import { Hono } from 'hono';
import type { Act, Visit } from '../src/adapters/vetelevage/contract.ts';
import { TokenRequest } from '../src/adapters/vetelevage/contract.ts';
import { verifyDirectWebLink } from '../src/domain/weblink.ts';
import { DICTIONARY, makeVisits } from './catalogue.ts';
import { createSimControlApp } from './control.tsx';

/** A fault the simulator injects into the next matching calls. */
export interface Fault {
  kind: '5xx' | 'timeout' | '401' | 'malformed' | 'mutate-batch' | 'change-visit' | 'ignore-write';
  /** Only calls to this path (`/visites`, `/actes`...), any when absent. */
  path?: string;
  method?: string;
  /** How many calls it affects. Default 1. */
  times?: number;
  /** For `timeout`: how long the answer is held. Default 5 s. */
  delayMs?: number;
}

interface SimAccount {
  id: string;
  login: string;
  password: string;
  editor: string | undefined;
  acts: Act[];
  pending: Visit[];
  frozen: { lot: string; visites: Visit[] } | undefined;
}

interface SimEditor {
  id: string;
  secret: string;
  frozen: { lot: string; visites: Visit[] } | undefined;
}

type TokenScope = { mode: 'veterinaire'; account: string } | { mode: 'saas'; editor: string };

/**
 * The Vétélevage simulator: the assumed contract of the README over real HTTP. `GET /visites`
 * freezes a batch at the first call and returns it identically until `DELETE /visites`; in SaaS
 * mode a call without `compte` groups the batch over every account linked to the editor.
 */
export function createVetelevageSimulator(options: { batchSize?: number; tokenTtlS?: number } = {}) {
  const batchSize = options.batchSize ?? 500;
  const accounts = new Map<string, SimAccount>();
  const editors = new Map<string, SimEditor>();
  const tokens = new Map<string, TokenScope>();
  const faults: Fault[] = [];
  const stats = {
    requests: [] as { method: string; path: string; account?: string }[],
    inFlightVisits: new Map<string, number>(),
    maxInFlightVisits: new Map<string, number>(),
    deletes: 0,
  };
  const mutating = new WeakSet<Request>();
  const changing = new WeakSet<Request>();
  // A write answered 200 but not applied: what GET /actes verification is there to catch.
  const ignoring = new WeakSet<Request>();
  let lotCounter = 0;
  let extraDelayMs = 0;

  const nextLot = () => `lot-${Date.now().toString(36)}-${++lotCounter}`;

  const takeFault = (method: string, path: string): Fault | undefined => {
    const index = faults.findIndex((f) => (!f.path || f.path === path) && (!f.method || f.method === method));
    if (index < 0) return undefined;
    const fault = faults[index] as Fault;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) faults.splice(index, 1);
    return fault;
  };

  const app = new Hono();

  // Faults first, so that they hit authentication as well.
  app.use('*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (path.startsWith('/_sim') || path.startsWith('/connexion-directe')) return next();
    stats.requests.push({ method: c.req.method, path, account: c.req.query('compte') });
    if (extraDelayMs && path !== '/visites') await new Promise((r) => setTimeout(r, extraDelayMs));
    const fault = takeFault(c.req.method, path);
    if (fault?.kind === '5xx') return c.json({ erreur: 'Erreur interne du serveur' }, 503);
    if (fault?.kind === '401') return c.json({ erreur: 'Jeton invalide ou expiré' }, 401);
    if (fault?.kind === 'malformed')
      return c.body('{"lot": "x", "visites": [ {"id": ', 200, { 'content-type': 'application/json' });
    if (fault?.kind === 'timeout') {
      await new Promise((r) => setTimeout(r, fault.delayMs ?? 5_000));
      return c.json({ erreur: 'trop tard' }, 504);
    }
    if (fault?.kind === 'mutate-batch') mutating.add(c.req.raw);
    if (fault?.kind === 'change-visit') changing.add(c.req.raw);
    if (fault?.kind === 'ignore-write') ignoring.add(c.req.raw);
    return next();
  });

  app.post('/auth/token', async (c) => {
    const parsed = TokenRequest.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json({ erreur: 'requête d’authentification invalide' }, 400);
    const body = parsed.data;
    let scope: TokenScope;
    let comptes: string[];
    if (body.mode === 'veterinaire') {
      const account = [...accounts.values()].find(
        (a) => a.login === body.identifiant && a.password === body.mot_de_passe,
      );
      if (!account) return c.json({ erreur: 'identifiants incorrects' }, 401);
      scope = { mode: 'veterinaire', account: account.id };
      comptes = [account.id];
    } else {
      const editor = editors.get(body.editeur);
      if (!editor || editor.secret !== body.secret)
        return c.json({ erreur: 'identifiants éditeur incorrects' }, 401);
      scope = { mode: 'saas', editor: editor.id };
      comptes = [...accounts.values()].filter((a) => a.editor === editor.id).map((a) => a.id);
    }
    const jeton = crypto.randomUUID();
    tokens.set(jeton, scope);
    return c.json({ jeton, expire_dans: options.tokenTtlS ?? 3600, comptes });
  });

  app.get('/connexion-directe', async (c) => {
    const check = await verifyDirectWebLink(c.req.url, (e) => editors.get(e)?.secret, new Date());
    return check.ok
      ? c.html(
          `<!doctype html><meta charset="utf-8"><title>Vétélevage</title><h1>Vétélevage</h1><p>Compte ${check.account}</p>`,
        )
      : c.text(check.reason, 403);
  });

  // Every API call: a valid token, and in SaaS mode `compte` must be linked to the editor.
  const api = new Hono<{
    Variables: { scope: TokenScope; account: SimAccount | undefined; editor: SimEditor | undefined };
  }>();
  api.use('*', async (c, next) => {
    const bearer = c.req.header('authorization')?.replace(/^Bearer /, '') ?? '';
    const scope = tokens.get(bearer);
    if (!scope) return c.json({ erreur: 'Jeton invalide ou expiré' }, 401);
    const compte = c.req.query('compte');
    if (scope.mode === 'veterinaire') {
      if (compte && compte !== scope.account)
        return c.json({ erreur: `compte ${compte} hors de portée` }, 403);
      c.set('account', accounts.get(scope.account));
      c.set('editor', undefined);
    } else {
      const editor = editors.get(scope.editor);
      if (compte) {
        const account = accounts.get(compte);
        if (!account || account.editor !== scope.editor)
          return c.json({ erreur: `compte ${compte} non lié à l’éditeur` }, 403);
        c.set('account', account);
      } else c.set('account', undefined);
      c.set('editor', editor);
    }
    return next();
  });

  api.post('/actes', async (c) => {
    const account = c.get('account');
    if (!account) return c.json({ erreur: 'compte requis' }, 400);
    const body = (await c.req.json().catch(() => undefined)) as { actes?: Act[] } | undefined;
    if (!body || !Array.isArray(body.actes)) return c.json({ erreur: 'actes manquants' }, 400);
    const codes = new Set<string>();
    for (const act of body.actes) {
      if (codes.has(act.code)) return c.json({ erreur: `code en double: ${act.code}` }, 422);
      codes.add(act.code);
    }
    if (!ignoring.delete(c.req.raw))
      account.acts = body.actes.map((a) => ({ code: a.code, libelle: a.libelle }));
    return c.json({ nombre: account.acts.length });
  });

  api.get('/actes', (c) => {
    const account = c.get('account');
    if (!account) return c.json({ erreur: 'compte requis' }, 400);
    return c.json({ actes: account.acts });
  });

  api.get('/visites', async (c) => {
    const account = c.get('account');
    const editor = c.get('editor');
    const key = account?.id ?? `editor:${editor?.id}`;
    const inFlight = (stats.inFlightVisits.get(key) ?? 0) + 1;
    stats.inFlightVisits.set(key, inFlight);
    stats.maxInFlightVisits.set(key, Math.max(stats.maxInFlightVisits.get(key) ?? 0, inFlight));
    try {
      if (extraDelayMs) await new Promise((r) => setTimeout(r, extraDelayMs));
      const holder = account ?? editor;
      if (!holder) return c.json({ erreur: 'compte requis' }, 400);
      if (!holder.frozen) {
        const source = account ? [account] : [...accounts.values()].filter((a) => a.editor === editor?.id);
        const visites: Visit[] = [];
        for (const a of source) visites.push(...a.pending.splice(0, batchSize - visites.length));
        if (visites.length === 0) return c.json({ lot: null, visites: [] });
        holder.frozen = { lot: nextLot(), visites };
      }
      if (mutating.delete(c.req.raw)) {
        // The failure the spec asks to detect: the frozen batch is not frozen after all.
        const source = account ? [account] : [...accounts.values()].filter((a) => a.editor === editor?.id);
        const extra = source.flatMap((a) => a.pending.splice(0, 1));
        holder.frozen.visites.push(...extra);
      }
      if (changing.delete(c.req.raw)) {
        // A visit of the frozen batch edited in place (a vet corrects a quantity): same id,
        // other content. A copy, so that the caller's visit objects stay as they were.
        const [first, ...rest] = holder.frozen.visites;
        if (first)
          holder.frozen.visites = [
            {
              ...first,
              actes: first.actes.map((a, i) => (i === 0 ? { ...a, quantite: a.quantite + 10 } : a)),
            },
            ...rest,
          ];
      }
      return c.json(holder.frozen);
    } finally {
      stats.inFlightVisits.set(key, (stats.inFlightVisits.get(key) ?? 1) - 1);
    }
  });

  api.delete('/visites', (c) => {
    const holder = c.get('account') ?? c.get('editor');
    if (!holder) return c.json({ erreur: 'compte requis' }, 400);
    const lot = c.req.query('lot');
    if (!holder.frozen) return c.json({ erreur: 'aucun lot en cours' }, 404);
    if (lot && lot !== holder.frozen.lot)
      return c.json({ erreur: `le lot en cours est ${holder.frozen.lot}, pas ${lot}` }, 409);
    holder.frozen = undefined;
    stats.deletes++;
    return c.body(null, 204);
  });

  api.get('/produits', (c) => c.json({ produits: DICTIONARY }));

  api.get('/tables/:name', (c) => {
    const name = c.req.param('name');
    const tables: Record<string, { id: string; libelle: string }[]> = {
      utilisateurs: [
        { id: 'vet-0', libelle: 'Dr Vétérinaire 0' },
        { id: 'vet-1', libelle: 'Dr Vétérinaire 1' },
      ],
      medicaments: DICTIONARY.filter((p) => !p.specifique_clinique).map((p) => ({
        id: p.id,
        libelle: p.libelle,
      })),
      pathologies: [
        { id: 'PA-1', libelle: 'Mammite clinique' },
        { id: 'PA-2', libelle: 'Boiterie' },
      ],
      'voies-administration': [
        { id: 'IM', libelle: 'Intramusculaire' },
        { id: 'SC', libelle: 'Sous-cutanée' },
        { id: 'PO', libelle: 'Orale' },
      ],
    };
    const elements = tables[name];
    return elements ? c.json({ table: name, elements }) : c.json({ erreur: `table inconnue: ${name}` }, 404);
  });

  // The control plane first: it takes no token, and the API's token check below must not reach it.
  app.route(
    '/_sim',
    createSimControlApp({
      accounts: () =>
        [...accounts.values()].map((a) => ({
          id: a.id,
          login: a.login,
          editor: a.editor,
          pending: a.pending,
          frozen: a.frozen?.visites.length ?? 0,
          acts: a.acts.length,
        })),
      editors: () => [...editors.keys()],
      makeVisits(id, count) {
        const account = accounts.get(id);
        if (!account) return false;
        account.pending.push(...makeVisits(account.id, count));
        return true;
      },
    }),
  );
  app.route('/', api);

  return {
    app,
    stats,
    addEditor(id: string, secret: string) {
      editors.set(id, { id, secret, frozen: undefined });
    },
    addAccount(id: string, credentials: { login: string; password: string; editor?: string }) {
      accounts.set(id, {
        id,
        login: credentials.login,
        password: credentials.password,
        editor: credentials.editor,
        acts: [],
        pending: [],
        frozen: undefined,
      });
    },
    addVisits(account: string, visits: Visit[]) {
      const a = accounts.get(account);
      if (!a) throw new Error(`simulator: unknown account ${account}`);
      a.pending.push(...visits);
    },
    /** Visits not yet handed out, plus the frozen batch not yet deleted. */
    remaining(account: string): number {
      const a = accounts.get(account);
      return (a?.pending.length ?? 0) + (a?.frozen?.visites.length ?? 0);
    },
    actsOf: (account: string) => accounts.get(account)?.acts ?? [],
    /** Makes Vétélevage hold a different act list than what it was sent (verification test). */
    setActs(account: string, acts: Act[]) {
      const a = accounts.get(account);
      if (a) a.acts = acts;
    },
    changePassword(account: string, password: string) {
      const a = accounts.get(account);
      if (a) a.password = password;
    },
    /** Revokes every token, as a server restart would. */
    revokeTokens: () => tokens.clear(),
    inject(fault: Fault) {
      faults.push({ ...fault });
    },
    clearFaults: () => faults.splice(0),
    /** Slows every API call, to make overlapping imports observable. */
    setDelay(ms: number) {
      extraDelayMs = ms;
    },
  };
}

export type VetelevageSimulator = ReturnType<typeof createVetelevageSimulator>;
