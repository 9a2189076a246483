import type { VetBillingUpdated, VetVisitsImported } from '@hip/shared/schemas';
import { waitFor } from '@hip/shared/testing';
import { and, eq, type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeVisits } from '../sim/catalogue.ts';
import type { Visit } from '../src/adapters/vetelevage/contract.ts';
import { leases, visits as visitsTable } from '../src/db/schema.ts';
import type { ImportStep } from '../src/import/importer.ts';
import { collect, type Gateway, startGateway, uniqueId, visitIdsOf } from './helpers.ts';

// One gateway for the file (starting one takes seconds); every test has its own accounts.
let gw: Gateway;
let crashAt: ImportStep | undefined;
let crashesLeft = 0;
let afterCommit: (() => Promise<void>) | undefined;
const crashHook = (step: ImportStep) => () => {
  if (crashAt === step && crashesLeft > 0) {
    crashesLeft--;
    throw new Error(`simulated crash at ${step}`);
  }
};
beforeAll(async () => {
  gw = await startGateway({
    batchSize: 5,
    seams: {
      importHooks: {
        afterGet: crashHook('afterGet'),
        afterCommit: async () => {
          crashHook('afterCommit')();
          await afterCommit?.();
        },
        afterPublish: crashHook('afterPublish'),
        beforeDelete: crashHook('beforeDelete'),
      },
    },
  });
});
afterAll(() => gw.stop());
beforeEach(() => {
  crashAt = undefined;
  crashesLeft = 0;
  afterCommit = undefined;
});

const importedIds = (events: { data: VetVisitsImported }[]) =>
  events.flatMap((e) => e.data.visits.map((v) => v.visitId)).sort();

describe('visit import', () => {
  it('stores a frozen batch, publishes vet.<account>.visits.imported with billing lines, then DELETEs it', async () => {
    const { id, visits } = await gw.vetAccount(12);
    const events = await collect<VetVisitsImported>(gw.svc.bus, `vet.${id}.visits.imported`);
    const res = await gw.importNow(id);
    expect(res.body).toMatchObject({ status: 'ok', batches: 3, visitsSeen: 12, visitsNew: 12 });
    expect(gw.sim.sim.remaining(id)).toBe(0);
    await waitFor(() => importedIds(events.seen).length === 12, { what: '12 imported visits' });
    expect(importedIds(events.seen)).toEqual(visitIdsOf(visits));
    expect(events.seen[0]?.data.visits[0]?.lines.length).toBeGreaterThan(0);
    const list = await gw.json('GET', `/accounts/${id}/visits?limit=100`);
    expect(list.body.visits).toHaveLength(12);
    // Stored as JSON objects (queried by content when a product gets mapped), not as strings.
    const stored = await gw.svc.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(visitsTable)
      .where(and(eq(visitsTable.account, id), sql`jsonb_typeof(${visitsTable.payload}) = 'object'`) as SQL);
    expect(stored[0]?.n).toBe(12);
    await events.stop();
  });

  it('imports a visit whose text holds a NUL character (which Postgres cannot store), marked with U+FFFD', async () => {
    const { id } = await gw.vetAccount(0);
    const [visit] = makeVisits(id, 1, { seed: `${id}-nul` });
    const broken = { ...visit!, elevage: { ...visit!.elevage, nom: 'GAEC du Pr\u0000e' } };
    gw.sim.sim.addVisits(id, [broken]);
    const res = await gw.importNow(id);
    expect(res.body).toMatchObject({ status: 'ok', visitsNew: 1 });
    expect(gw.sim.sim.remaining(id)).toBe(0);
    const stored = await gw.svc.database.db
      .select({ name: sql<string>`${visitsTable.payload}->'elevage'->>'nom'` })
      .from(visitsTable)
      .where(eq(visitsTable.account, id));
    expect(stored).toEqual([{ name: 'GAEC du Pr\uFFFDe' }]);
  });

  const steps: ImportStep[] = ['afterGet', 'afterCommit', 'afterPublish', 'beforeDelete'];
  it.each(steps)('loses nothing and bills nothing twice when the import crashes at %s', async (step) => {
    crashAt = step;
    crashesLeft = 1;
    const { id, visits } = await gw.vetAccount(8);
    const events = await collect<VetVisitsImported>(gw.svc.bus, `vet.${id}.visits.imported`);

    const crashed = await gw.importNow(id);
    expect(crashed.body).toMatchObject({ status: 'failed', error: `simulated crash at ${step}` });
    // The batch was not acknowledged: Vétélevage still holds every visit.
    expect(gw.sim.sim.remaining(id)).toBe(8);
    const errors = await gw.json('GET', `/accounts/${id}/errors`);
    expect(errors.body.errors[0]).toMatchObject({
      operation: 'import',
      kind: 'internal',
      detail: `simulated crash at ${step}`,
    });

    const again = await gw.importNow(id);
    expect(again.body).toMatchObject({ status: 'ok', visitsSeen: 8, batches: 2 });
    expect(gw.sim.sim.remaining(id)).toBe(0);
    await gw.svc.bus.ping();
    await waitFor(() => importedIds(events.seen).length >= 8, { what: 'all visits published' });
    // Give a duplicate a chance to show up before asserting there is none.
    await new Promise((r) => setTimeout(r, 200));
    expect(importedIds(events.seen)).toEqual(visitIdsOf(visits));
    const stored = await gw.json('GET', `/accounts/${id}/visits?limit=100`);
    expect(stored.body.visits.map((v: { visitId: string }) => v.visitId).sort()).toEqual(visitIdsOf(visits));
    // A success resolves the error it had recorded.
    expect((await gw.json('GET', `/accounts/${id}/errors`)).body.errors).toEqual([]);
    await events.stop();
  });

  it('detects a batch that changed between two GETs, keeps every visit, and DELETEs only once two GETs agree', async () => {
    crashAt = 'beforeDelete';
    crashesLeft = 1;
    const { id, visits } = await gw.vetAccount(7);
    await gw.importNow(id); // batch of 5 stored, not deleted
    gw.sim.sim.inject({ kind: 'mutate-batch', path: '/visites', method: 'GET' });
    const held = await gw.importNow(id);
    expect(held.body.status).toBe('held');
    expect(held.body.error).toMatch(/changed between two GETs.*1 added/);
    expect(gw.sim.sim.remaining(id)).toBe(7); // nothing acknowledged
    const errors = await gw.json('GET', `/accounts/${id}/errors`);
    expect(errors.body.errors[0]).toMatchObject({ kind: 'batch_changed', retryable: true });

    const after = await gw.importNow(id);
    expect(after.body.status).toBe('ok');
    expect(gw.sim.sim.remaining(id)).toBe(0);
    const stored = await gw.json('GET', `/accounts/${id}/visits?limit=100`);
    expect(stored.body.visits.map((v: { visitId: string }) => v.visitId).sort()).toEqual(visitIdsOf(visits));
  });

  it('stores the new version of a visit changed between two GETs, sends billing.updated, and keeps batch_changed visible', async () => {
    crashAt = 'beforeDelete';
    crashesLeft = 1;
    const { id, visits } = await gw.vetAccount(3);
    const changed = visits[0] as Visit;
    const act = changed.actes[0] as Visit['actes'][number];
    const updates = await collect<VetBillingUpdated>(gw.svc.bus, `vet.${id}.billing.updated`);
    await gw.importNow(id); // stored, not deleted
    gw.sim.sim.inject({ kind: 'change-visit', path: '/visites', method: 'GET' });
    const held = await gw.importNow(id);
    expect(held.body).toMatchObject({ status: 'held', visitsNew: 0, visitsUpdated: 1 });
    expect(held.body.error).toMatch(new RegExp(`1 changed \\(${id}/${changed.id}\\)`));

    const ok = await gw.importNow(id);
    expect(ok.body).toMatchObject({ status: 'ok', visitsUpdated: 0 });
    expect(gw.sim.sim.remaining(id)).toBe(0);
    const lines = (await gw.json('GET', `/accounts/${id}/visits/${changed.id}/lines`)).body.lines;
    expect(lines.find((l: { kind: string }) => l.kind === 'act').quantity).toBe(act.quantite + 10);
    await waitFor(() => updates.seen.length > 0, { what: 'billing.updated of the changed visit' });
    const sent = updates.seen.flatMap((e) => e.data.visits);
    expect(sent.map((v) => v.visitId)).toEqual([changed.id]);
    expect(sent[0]?.lines.find((l) => l.kind === 'act')?.quantity).toBe(act.quantite + 10);
    // The batch went through, but what happened to it stays visible until someone looks.
    const errors = (await gw.json('GET', `/accounts/${id}/errors`)).body.errors;
    expect(errors.map((e: { kind: string }) => e.kind)).toEqual(['batch_changed']);
    // Until someone marks it seen.
    expect((await gw.json('POST', `/accounts/${id}/errors/${errors[0].id}/resolve`)).status).toBe(200);
    expect((await gw.json('GET', `/accounts/${id}/errors`)).body.errors).toEqual([]);
    expect((await gw.json('POST', `/accounts/${id}/errors/${errors[0].id}/resolve`)).status).toBe(404);
    await updates.stop();
  });

  it('replaces a visit that Vétélevage sends again in a later batch with other content', async () => {
    const { id, visits } = await gw.vetAccount(2);
    await gw.importNow(id);
    const updates = await collect<VetBillingUpdated>(gw.svc.bus, `vet.${id}.billing.updated`);
    const again = structuredClone(visits[1] as Visit);
    (again.actes[0] as Visit['actes'][number]).quantite = 42;
    gw.sim.sim.addVisits(id, [again, structuredClone(visits[0] as Visit)]);
    expect((await gw.importNow(id)).body).toMatchObject({ status: 'ok', visitsNew: 0, visitsUpdated: 1 });
    const lines = (await gw.json('GET', `/accounts/${id}/visits/${again.id}/lines`)).body.lines;
    expect(lines.find((l: { kind: string }) => l.kind === 'act').quantity).toBe(42);
    await waitFor(() => updates.seen.length > 0, { what: 'billing.updated of the re-sent visit' });
    expect(updates.seen.flatMap((e) => e.data.visits.map((v) => v.visitId))).toEqual([again.id]);
    await updates.stop();
  });

  it('imports the valid visits of a batch, keeps an invalid one aside with its reason, and DELETEs the batch', async () => {
    const { id } = await gw.vetAccount(0);
    const vs = makeVisits(id, 3, { seed: id });
    const bad = vs[1] as Visit;
    (bad as { date: string }).date = '12/03/2025';
    gw.sim.sim.addVisits(id, vs);
    const res = await gw.importNow(id);
    expect(res.body).toMatchObject({ status: 'ok', visitsSeen: 3, visitsNew: 2, visitsRejected: 1 });
    expect(gw.sim.sim.remaining(id)).toBe(0);
    const stored = (await gw.json('GET', `/accounts/${id}/visits`)).body.visits;
    expect(stored.map((v: { visitId: string }) => v.visitId).sort()).toEqual([vs[0]?.id, vs[2]?.id].sort());

    const rejected = (await gw.json('GET', `/accounts/${id}/rejected-visits`)).body.visits;
    expect(rejected).toEqual([
      expect.objectContaining({
        visitId: bad.id,
        position: 1,
        problems: [{ path: '/date', message: 'must be an ISO date' }],
        raw: expect.objectContaining({ id: bad.id, date: '12/03/2025' }),
      }),
    ]);
    const errors = (await gw.json('GET', `/accounts/${id}/errors`)).body.errors;
    expect(errors).toEqual([
      expect.objectContaining({ kind: 'visit_rejected', retryable: false, rejectedVisitId: rejected[0].id }),
    ]);
    expect(errors[0].detail).toContain(`visit ${bad.id} of batch`);
    expect(errors[0].detail).toContain('/date must be an ISO date');
    const page = await (await gw.svc.request(`/admin/accounts/${id}`)).text();
    expect(page).toContain(`data-rejected="${bad.id}"`);

    // Still refused as it came; imported once corrected, which resolves its error.
    const path = `/accounts/${id}/rejected-visits/${rejected[0].id}/reprocess`;
    expect((await gw.json('POST', path, {})).status).toBe(422);
    const fixed = await gw.json('POST', path, { visit: { ...rejected[0].raw, date: '2025-03-12' } });
    expect(fixed.body).toEqual({ visitId: bad.id, outcome: 'imported' });
    expect((await gw.json('GET', `/accounts/${id}/visits/${bad.id}/lines`)).body.date).toBe('2025-03-12');
    expect((await gw.json('GET', `/accounts/${id}/rejected-visits`)).body.visits).toEqual([]);
    expect((await gw.json('GET', `/accounts/${id}/errors`)).body.errors).toEqual([]);
  });

  it('refuses a veterinarian-mode batch holding visits of another account: nothing stored, nothing DELETEd', async () => {
    const simId = uniqueId('vv');
    gw.sim.sim.addAccount(simId, { login: `L-${simId}`, password: 'p' });
    gw.sim.sim.addVisits(simId, makeVisits(simId, 2, { seed: simId }));
    const gwId = uniqueId('gw');
    await gw.json('PUT', `/accounts/${gwId}`, { mode: 'veterinaire', login: `L-${simId}`, password: 'p' });
    const res = await gw.importNow(gwId);
    expect(res.body).toMatchObject({ status: 'failed' });
    expect(res.body.error).toMatch(
      new RegExp(`account ${gwId} holds 2 visit\\(s\\) tagged with another account`),
    );
    expect(gw.sim.sim.remaining(simId)).toBe(2);
    expect((await gw.json('GET', `/accounts/${gwId}/visits`)).body.visits).toEqual([]);
    expect((await gw.json('GET', `/accounts/${simId}/visits`)).status).toBe(404);
    const errors = (await gw.json('GET', `/accounts/${gwId}/errors`)).body.errors;
    expect(errors).toEqual([expect.objectContaining({ kind: 'account_mismatch', retryable: false })]);
  });

  it('records Vétélevage 5xx, timeout and malformed answers as retryable or not, and retries on the next run', async () => {
    const { id } = await gw.vetAccount(2);
    gw.sim.sim.inject({ kind: '5xx', path: '/visites' });
    expect((await gw.importNow(id)).body).toMatchObject({
      status: 'failed',
      error: 'Vétélevage: answered HTTP 503',
    });
    gw.sim.sim.inject({ kind: 'timeout', path: '/visites', delayMs: 2_500 });
    expect((await gw.importNow(id)).body).toMatchObject({
      status: 'failed',
      error: 'Vétélevage: no answer within 1500 ms',
    });
    gw.sim.sim.inject({ kind: 'malformed', path: '/visites' });
    expect((await gw.importNow(id)).body.error).toMatch(/malformed JSON/);
    const errors = (await gw.json('GET', `/accounts/${id}/errors`)).body.errors;
    expect(errors.map((e: { kind: string; retryable: boolean }) => [e.kind, e.retryable])).toEqual([
      ['malformed', false],
      ['timeout', true],
      ['http_503', true],
    ]);
    const accounts = (await gw.json('GET', '/accounts')).body.accounts;
    expect(accounts.find((a: { id: string }) => a.id === id)).toMatchObject({
      lastImportStatus: 'failed',
      openErrors: 3,
    });
    expect((await gw.importNow(id)).body).toMatchObject({ status: 'ok', visitsNew: 2 });
    expect(gw.sim.sim.remaining(id)).toBe(0);
  });

  it('renews an expired token once on 401, and reports refused credentials clearly', async () => {
    const { id } = await gw.vetAccount(1);
    await gw.importNow(id);
    gw.sim.sim.addVisits(id, []);
    gw.sim.sim.revokeTokens();
    gw.sim.sim.inject({ kind: '401', path: '/visites' });
    expect((await gw.importNow(id)).body.status).toBe('ok');
    gw.sim.sim.changePassword(id, 'changed-on-vetelevage');
    gw.sim.sim.revokeTokens();
    const res = await gw.importNow(id);
    expect(res.body).toMatchObject({ status: 'failed' });
    expect(res.body.error).toBe(
      `Vétélevage: refused the veterinaire credentials of login ${id}-login (HTTP 401)`,
    );
  });

  it('imports SaaS accounts through one grouped call per editor, each visit under its own account subject', async () => {
    const editor = `ed-${Math.random().toString(36).slice(2, 7)}`;
    gw.sim.sim.addEditor(editor, 'editor-secret');
    expect((await gw.json('PUT', `/editors/${editor}`, { secret: 'editor-secret' })).status).toBe(200);
    const { makeVisits } = await import('../sim/catalogue.ts');
    const ids = [`${editor}-a`, `${editor}-b`];
    for (const a of ids) {
      gw.sim.sim.addAccount(a, { login: a, password: 'x', editor });
      gw.sim.sim.addVisits(a, makeVisits(a, 3, { seed: a }));
    }
    await gw.json('PUT', `/accounts/${ids[0]}`, { mode: 'saas', editor });
    const events = await collect<VetVisitsImported>(gw.svc.bus, 'vet.*.visits.imported');
    const since = gw.sim.sim.stats.requests.length;
    const res = await gw.importNow(ids[0] as string);
    expect(res.body).toMatchObject({ source: `editor:${editor}`, status: 'ok', visitsNew: 6 });
    // Only grouped calls: no per-account `compte` parameter on GET /visites.
    expect(
      gw.sim.sim.stats.requests.slice(since).filter((r) => r.path === '/visites' && r.account !== undefined),
    ).toEqual([]);
    const ours = () => events.seen.filter((e) => ids.includes(e.data.account));
    await waitFor(() => importedIds(ours()).length >= 6);
    expect([...new Set(ours().map((e) => e.msg.subject))].sort()).toEqual(
      ids.map((a) => `vet.${a}.visits.imported`).sort(),
    );
    expect(new Set(importedIds(ours())).size).toBe(6);
    expect(ours().every((e) => e.msg.subject === `vet.${e.data.account}.visits.imported`)).toBe(true);
    // The second account was discovered through the grouped batch.
    const accounts = (await gw.json('GET', '/accounts')).body.accounts;
    expect(accounts.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining(ids));
    await events.stop();
  });

  it('rejects, in SaaS mode, a visit whose account is not a usable account id, and imports the others', async () => {
    const editor = uniqueId('ed');
    gw.sim.sim.addEditor(editor, 'editor-secret');
    await gw.json('PUT', `/editors/${editor}`, { secret: 'editor-secret' });
    const account = `${editor}-a`;
    gw.sim.sim.addAccount(account, { login: account, password: 'x', editor });
    const vs = makeVisits(account, 2, { seed: account });
    (vs[0] as Visit).compte = 'cabinet des prés';
    gw.sim.sim.addVisits(account, vs);
    await gw.json('PUT', `/accounts/${account}`, { mode: 'saas', editor });
    const res = await gw.importNow(account);
    expect(res.body).toMatchObject({ status: 'ok', visitsNew: 1, visitsRejected: 1 });
    expect(gw.sim.sim.remaining(account)).toBe(0);
    const rejected = (await gw.json('GET', `/accounts/${account}/rejected-visits`)).body.visits;
    expect(rejected).toEqual([
      expect.objectContaining({
        visitId: vs[0]?.id,
        problems: [{ path: '/compte', message: 'account id must be 1-64 letters, digits, - or _' }],
      }),
    ]);
  });

  it('stores no further batch once its lease was taken over by another replica', async () => {
    const { id, visits } = await gw.vetAccount(12); // three batches of 5
    const lease = `import:account:${id}`;
    afterCommit = async () => {
      afterCommit = undefined;
      // Our lease expired during a long batch and another replica took it.
      await gw.svc.database.db
        .update(leases)
        .set({ holder: 'replica-elsewhere', expiresAt: sql`now() + interval '1 minute'` })
        .where(eq(leases.name, lease));
    };
    const res = await gw.importNow(id);
    expect(res.status).toBe(409);
    // The first batch was stored before the takeover, so it was acknowledged; nothing after it.
    expect((await gw.json('GET', `/accounts/${id}/visits?limit=100`)).body.visits).toHaveLength(5);
    expect(gw.sim.sim.remaining(id)).toBe(7);
    // The other replica's lease is left alone.
    const [row] = await gw.svc.database.db.select().from(leases).where(eq(leases.name, lease));
    expect(row?.holder).toBe('replica-elsewhere');

    await gw.svc.database.db.delete(leases).where(eq(leases.name, lease));
    expect((await gw.importNow(id)).body).toMatchObject({ status: 'ok', visitsNew: 7 });
    const stored = await gw.json('GET', `/accounts/${id}/visits?limit=100`);
    expect(stored.body.visits.map((v: { visitId: string }) => v.visitId).sort()).toEqual(visitIdsOf(visits));
  });
});
