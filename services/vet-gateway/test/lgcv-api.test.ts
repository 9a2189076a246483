import type { VetBillingLinesReply, VetBillingUpdated } from '@hip/shared/schemas';
import { startServiceForTest, waitFor } from '@hip/shared/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DICTIONARY, makeVisits } from '../sim/catalogue.ts';
import { accounts, catalogue, editors } from '../src/db/schema.ts';
import { verifyDirectWebLink } from '../src/domain/weblink.ts';
import { defineVetGateway } from '../src/service.ts';
import { REBILL_PAGE } from '../src/store/rebill.ts';
import { collect, type Gateway, randomKey, startGateway, uniqueId } from './helpers.ts';

let gw: Gateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.stop());

const oxy = DICTIONARY[0] as (typeof DICTIONARY)[number]; // has a GTIN-13
const clinic = DICTIONARY.find((p) => p.specifique_clinique) as (typeof DICTIONARY)[number];

describe('act list push', () => {
  it('pushes a changed list, verifies it with GET /actes, and does not push an unchanged one again', async () => {
    const { id } = await gw.vetAccount();
    const acts = [
      { code: 'VIS', label: 'Visite d’élevage' },
      { code: 'VAC', label: 'Vaccination' },
    ];
    expect((await gw.json('PUT', `/accounts/${id}/acts`, { acts })).body).toEqual({ status: 'pushed' });
    expect(gw.sim.sim.actsOf(id)).toEqual(acts.map((a) => ({ code: a.code, libelle: a.label })));
    const posts = () =>
      gw.sim.sim.stats.requests.filter((r) => r.method === 'POST' && r.path === '/actes').length;
    const before = posts();
    expect((await gw.json('PUT', `/accounts/${id}/acts`, { acts: [...acts].reverse() })).body).toEqual({
      status: 'up_to_date',
    });
    expect(posts()).toBe(before);
    const read = await gw.json('GET', `/accounts/${id}/acts`);
    expect(read.body.vetelevage).toEqual(acts);
  });

  it('re-publishes the lines of imported visits whose act code the new list accepts or no longer accepts', async () => {
    const { id, visits } = await gw.vetAccount(10); // one act per visit, codes VIS VAC PARAGE CESAR BILAN
    await gw.importNow(id);
    const codeOf = (visitId: string) => visits.find((v) => v.id === visitId)?.actes[0]?.code;
    const updates = await collect<VetBillingUpdated>(gw.svc.bus, `vet.${id}.billing.updated`);
    const updated = () => updates.seen.flatMap((e) => e.data.visits);

    const list = (...codes: string[]) => ({ acts: codes.map((code) => ({ code, label: code })) });
    await gw.json('PUT', `/accounts/${id}/acts`, list('VIS', 'VAC'));
    const outside = visits.filter((v) => !['VIS', 'VAC'].includes(v.actes[0]?.code ?? ''));
    await waitFor(() => updated().length >= outside.length, { what: 'billing.updated after the first list' });
    expect(
      updated()
        .map((v) => v.visitId)
        .sort(),
    ).toEqual(outside.map((v) => v.id).sort());
    expect(updated().every((v) => v.lines.find((l) => l.kind === 'act')?.status === 'unknown_act')).toBe(
      true,
    );

    updates.seen.length = 0;
    await gw.json('PUT', `/accounts/${id}/acts`, list('VIS', 'VAC', 'PARAGE'));
    const parage = visits.filter((v) => v.actes[0]?.code === 'PARAGE').map((v) => v.id);
    await waitFor(() => updated().length >= parage.length, { what: 'billing.updated after adding PARAGE' });
    // Only the visits whose line changed, now billable.
    await new Promise((r) => setTimeout(r, 200));
    expect(
      updated()
        .map((v) => v.visitId)
        .sort(),
    ).toEqual([...parage].sort());
    expect(
      updated().every(
        (v) => codeOf(v.visitId) === 'PARAGE' && v.lines.find((l) => l.kind === 'act')?.status === 'ok',
      ),
    ).toBe(true);
    await updates.stop();
  });

  it('refuses a list with a duplicate code before sending anything', async () => {
    const { id } = await gw.vetAccount();
    const res = await gw.json('PUT', `/accounts/${id}/acts`, {
      acts: [
        { code: 'VIS', label: 'a' },
        { code: 'VIS', label: 'b' },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { path: '/acts/1/code', message: 'duplicate act code "VIS" (already at /acts/0/code)' },
    ]);
    expect(gw.sim.sim.actsOf(id)).toEqual([]);
  });

  it('reports a push Vétélevage acknowledged but does not hold, and retries it next time', async () => {
    const { id } = await gw.vetAccount();
    gw.sim.sim.inject({ kind: 'ignore-write', path: '/actes', method: 'POST' });
    const res = await gw.json('PUT', `/accounts/${id}/acts`, { acts: [{ code: 'VIS', label: 'Visite' }] });
    expect(res.body).toMatchObject({ status: 'failed', differences: ['act "VIS" is missing on the server'] });
    const errors = (await gw.json('GET', `/accounts/${id}/errors`)).body.errors;
    expect(errors[0]).toMatchObject({ operation: 'acts', kind: 'acts_verification_failed' });
    // Not recorded as pushed, so the same list is pushed again.
    expect(
      (await gw.json('PUT', `/accounts/${id}/acts`, { acts: [{ code: 'VIS', label: 'Visite' }] })).body,
    ).toEqual({ status: 'pushed' });
    expect((await gw.json('GET', `/accounts/${id}/errors`)).body.errors).toEqual([]);
  });
});

describe('product mapping and billing lines', () => {
  it('validates catalogue GTINs: normalises valid ones to 14 digits, reports invalid ones and keeps the product', async () => {
    const { id } = await gw.vetAccount();
    const res = await gw.json('PUT', `/accounts/${id}/catalogue`, {
      products: [
        { id: 'LG-1', name: 'Oxytetracycline 10 % injectable', gtin: oxy.gtin },
        { id: 'LG-2', name: 'Produit mal saisi', gtin: '4006381333932' },
      ],
    });
    expect(res.body).toEqual({
      accepted: 2,
      gtinRejected: [
        { path: '/products/1/gtin', message: 'GTIN "4006381333932" has check digit 2, expected 1' },
      ],
    });
  });

  it('refuses a catalogue holding one product id twice, naming both positions, and keeps the previous one', async () => {
    const { id } = await gw.vetAccount();
    await gw.json('PUT', `/accounts/${id}/catalogue`, { products: [{ id: 'LG-1', name: 'kept' }] });
    const res = await gw.json('PUT', `/accounts/${id}/catalogue`, {
      products: [
        { id: 'X', name: 'a' },
        { id: 'Y', name: 'b' },
        { id: 'X', name: 'c' },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { path: '/products/2/id', message: 'duplicate product id "X" (already at /products/0/id)' },
    ]);
    const stored = await gw.svc.database.db.select().from(catalogue).where(eq(catalogue.account, id));
    expect(stored.map((r) => r.lgcvId)).toEqual(['LG-1']);
  });

  it('keeps a Vétélevage product with an invalid GTIN, mappable by id, and says why its GTIN was ignored', async () => {
    const { id } = await gw.vetAccount();
    const [visit] = makeVisits(id, 1, { seed: `${id}-gtin`, linesPerVisit: 1 });
    if (!visit) throw new Error('no visit');
    visit.produits.push({
      id: 'P-BAD',
      gtin: '3760123450001',
      libelle: 'Produit au GTIN faux',
      quantite: 1,
      unite: 'u',
      animaux: [],
    });
    gw.sim.sim.addVisits(id, [visit]);
    expect((await gw.importNow(id)).body).toMatchObject({ status: 'ok', visitsNew: 1 });
    const unmapped = (await gw.json('GET', `/accounts/${id}/products/unmapped`)).body.products;
    expect(unmapped.find((p: { vetelevageId: string }) => p.vetelevageId === 'P-BAD')).toMatchObject({
      gtin14: null,
      gtinError: 'GTIN "3760123450001" has check digit 1, expected 3',
    });
    const page = await (await gw.svc.request(`/admin/accounts/${id}`)).text();
    expect(page).toContain('GTIN ignored: GTIN &quot;3760123450001&quot; has check digit 1, expected 3');
  });

  it('flags unmapped lines without dropping them, suggests by GTIN then name, and learns a mapping once', async () => {
    const { id, visits } = await gw.vetAccount(3);
    await gw.json('PUT', `/accounts/${id}/catalogue`, {
      products: [
        { id: 'LG-OXY', name: 'OXYTETRACYCLINE 10 % injectable 100 ml', gtin: `0${oxy.gtin}` },
        { id: 'LG-POM', name: 'Pommade mammaire (préparation clinique)' },
      ],
    });
    await gw.importNow(id);
    const visit = visits.find((v) => v.produits.some((p) => p.id === oxy.id)) ?? visits[0];
    const lines = (await gw.json('GET', `/accounts/${id}/visits/${visit?.id}/lines`)).body;
    expect(lines.lines.filter((l: { kind: string }) => l.kind === 'product')).toHaveLength(
      visit?.produits.length ?? -1,
    );
    expect(lines.flagged).toBeGreaterThan(0);

    const unmapped = (await gw.json('GET', `/accounts/${id}/products/unmapped`)).body.products;
    const oxyEntry = unmapped.find((p: { vetelevageId: string }) => p.vetelevageId === oxy.id);
    expect(oxyEntry.suggestions[0]).toMatchObject({ lgcvId: 'LG-OXY', reason: 'gtin' });

    const updates = await collect<VetBillingUpdated>(gw.svc.bus, `vet.${id}.billing.updated`);
    const mapped = await gw.json('PUT', `/accounts/${id}/mappings/${oxy.id}`, { lgcvId: 'LG-OXY' });
    expect(mapped.body.affectedVisits).toBeGreaterThan(0);
    await waitFor(() => updates.seen.length > 0, { what: 'billing.updated event' });
    const line = updates.seen[0]?.data.visits[0]?.lines.find((l) => l.vetelevageProductId === oxy.id);
    expect(line).toMatchObject({ lgcvProductId: 'LG-OXY', status: 'ok' });
    await updates.stop();

    // Learned once: a later visit with the same product comes in mapped.
    const { makeVisits } = await import('../sim/catalogue.ts');
    const later = makeVisits(id, 1, { seed: `${id}-later`, linesPerVisit: 12 });
    gw.sim.sim.addVisits(id, later);
    await gw.importNow(id);
    const laterLines = (await gw.json('GET', `/accounts/${id}/visits/${later[0]?.id}/lines`)).body.lines;
    expect(
      laterLines.find((l: { vetelevageProductId: string }) => l.vetelevageProductId === oxy.id),
    ).toMatchObject({ lgcvProductId: 'LG-OXY', status: 'ok' });
    expect(
      (await gw.json('GET', `/accounts/${id}/products/unmapped`)).body.products.map(
        (p: { vetelevageId: string }) => p.vetelevageId,
      ),
    ).not.toContain(oxy.id);
  });

  it('re-bills every imported visit holding a newly mapped product, page by page, once each', async () => {
    const { id } = await gw.vetAccount();
    const { makeVisits, DICTIONARY: products } = await import('../sim/catalogue.ts');
    const product = products[1] as (typeof products)[number];
    // More visits holding the product than one page of REBILL_PAGE.
    const visits = makeVisits(id, 700, { seed: id, linesPerVisit: 12 });
    const holding = visits.filter((v) => v.produits.some((p) => p.id === product.id)).map((v) => v.id);
    expect(holding.length).toBeGreaterThan(REBILL_PAGE);
    gw.sim.sim.addVisits(id, visits);
    expect((await gw.importNow(id)).body).toMatchObject({ status: 'ok', visitsNew: 700 });
    await gw.json('PUT', `/accounts/${id}/catalogue`, {
      products: [{ id: 'LG-AMOX', name: product.libelle }],
    });

    const updates = await collect<VetBillingUpdated>(gw.svc.bus, `vet.${id}.billing.updated`);
    const mapped = await gw.json('PUT', `/accounts/${id}/mappings/${product.id}`, { lgcvId: 'LG-AMOX' });
    expect(mapped.body.affectedVisits).toBe(holding.length);
    const updated = () => updates.seen.flatMap((e) => e.data.visits.map((v) => v.visitId));
    await waitFor(() => updated().length >= holding.length, { what: 'billing.updated for every visit' });
    expect(updated().sort()).toEqual([...holding].sort());
    for (const event of updates.seen) {
      expect(event.data.visits.length).toBeLessThanOrEqual(100);
      for (const visit of event.data.visits)
        expect(visit.lines.find((l) => l.vetelevageProductId === product.id)).toMatchObject({
          lgcvProductId: 'LG-AMOX',
          status: 'ok',
        });
    }
    await updates.stop();
  });

  it('maps a clinic-specific product without GTIN by its Vétélevage id, suggested by name', async () => {
    const { id } = await gw.vetAccount();
    const { makeVisits } = await import('../sim/catalogue.ts');
    const visits = makeVisits(id, 1, { seed: id, linesPerVisit: 15 });
    gw.sim.sim.addVisits(id, visits);
    await gw.json('PUT', `/accounts/${id}/catalogue`, {
      products: [{ id: 'LG-POM', name: 'Pommade mammaire préparation' }],
    });
    await gw.importNow(id);
    const unmapped = (await gw.json('GET', `/accounts/${id}/products/unmapped`)).body.products;
    const entry = unmapped.find((p: { vetelevageId: string }) => p.vetelevageId === clinic.id);
    expect(entry).toMatchObject({ gtin14: null, suggestions: [{ lgcvId: 'LG-POM', reason: 'name' }] });
    expect((await gw.json('PUT', `/accounts/${id}/mappings/${clinic.id}`, { lgcvId: 'LG-POM' })).status).toBe(
      200,
    );
    const lines = (await gw.json('GET', `/accounts/${id}/visits/${visits[0]?.id}/lines`)).body.lines;
    expect(
      lines.find((l: { vetelevageProductId: string }) => l.vetelevageProductId === clinic.id),
    ).toMatchObject({ lgcvProductId: 'LG-POM', status: 'ok' });
  });

  it('refuses a mapping to a product missing from the LGCV catalogue', async () => {
    const { id } = await gw.vetAccount();
    const res = await gw.json('PUT', `/accounts/${id}/mappings/${oxy.id}`, { lgcvId: 'LG-NOPE' });
    expect(res.status).toBe(422);
    expect(res.body.detail).toBe(`LGCV product LG-NOPE is not in the catalogue of account ${id}`);
  });

  it('flags an act code the LGCV act list does not contain', async () => {
    const { id, visits } = await gw.vetAccount(1);
    await gw.json('PUT', `/accounts/${id}/acts`, { acts: [{ code: 'NOT-USED', label: 'x' }] });
    await gw.importNow(id);
    const lines = (await gw.json('GET', `/accounts/${id}/visits/${visits[0]?.id}/lines`)).body.lines;
    expect(lines.find((l: { kind: string }) => l.kind === 'act')).toMatchObject({ status: 'unknown_act' });
  });

  it('answers billing lines of a visit over the bus (request/reply), and says when a visit is unknown', async () => {
    const { id, visits } = await gw.vetAccount(1);
    await gw.importNow(id);
    const reply = (
      await gw.svc.bus.request('vet.billing.lines.get', { account: id, visitId: visits[0]?.id })
    ).json<VetBillingLinesReply>();
    expect(reply).toMatchObject({ ok: true, visit: { visitId: visits[0]?.id } });
    const missing = (
      await gw.svc.bus.request('vet.billing.lines.get', { account: id, visitId: 'nope' })
    ).json<VetBillingLinesReply>();
    expect(missing).toEqual({ ok: false, error: `visit nope of account ${id} was not imported` });
    const bad = (
      await gw.svc.bus.request('vet.billing.lines.get', { account: id })
    ).json<VetBillingLinesReply>();
    expect(bad).toMatchObject({ ok: false, error: expect.stringContaining('visitId') });
  });

  it('answers 404 for a visit that was not imported', async () => {
    const { id } = await gw.vetAccount();
    expect((await gw.json('GET', `/accounts/${id}/visits/nope/lines`)).status).toBe(404);
  });
});

describe('accounts, credentials, links and reference tables', () => {
  it('stores credentials encrypted: the stored value is not the plaintext', async () => {
    const { id } = await gw.vetAccount();
    const [row] = await gw.svc.database.db.select().from(accounts).where(eq(accounts.id, id));
    expect(row?.passwordSealed).toMatch(/^v1\./);
    expect(row?.passwordSealed).not.toContain(`${id}-pw`);
  });

  it('fails clearly when the service runs with another key than the one that sealed the credentials', async () => {
    const { id } = await gw.vetAccount(1);
    const other = await startServiceForTest(defineVetGateway(), {
      env: { ...gw.env, VET_SECRETS_KEY: randomKey() },
      database: gw.svc.database,
      bus: gw.svc.bus,
    });
    try {
      const res = await other.request(`/accounts/${id}/import`, { method: 'POST' });
      expect(await res.json()).toMatchObject({
        status: 'failed',
        error: `stored secret of account:${id} cannot be decrypted: VET_SECRETS_KEY is not the key it was sealed with, or the value was altered`,
      });
    } finally {
      await other.stop();
    }
    expect(gw.sim.sim.remaining(id)).toBe(1);
  });

  it('builds a direct web link Vétélevage accepts, signed by the account editor', async () => {
    const editor = uniqueId('ed');
    gw.sim.sim.addEditor(editor, 'ed-secret');
    await gw.json('PUT', `/editors/${editor}`, { secret: 'ed-secret' });
    const { id } = await gw.vetAccount(0, { editor });
    const link = (await gw.json('GET', `/accounts/${id}/web-link`)).body.url as string;
    expect(link.startsWith(`${gw.sim.url}/connexion-directe?`)).toBe(true);
    expect(
      await verifyDirectWebLink(link, (e) => (e === editor ? 'ed-secret' : undefined), new Date()),
    ).toEqual({ ok: true, account: id });
    const [stored] = await gw.svc.database.db.select().from(editors).where(eq(editors.id, editor));
    expect(stored?.secretSealed).not.toContain('ed-secret');
    const page = await fetch(link);
    expect(page.status).toBe(200);
  });

  it('refuses an unknown editor for a SaaS account and an account id unfit for subjects', async () => {
    const res = await gw.json('PUT', '/accounts/acc-x', { mode: 'saas', editor: 'nobody' });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/editor nobody is not registered/);
    const bad = await gw.json('PUT', '/accounts/bad.id', { mode: 'veterinaire', login: 'l', password: 'p' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('/account');
  });

  it('shows on the admin page of a SaaS account the act-push errors recorded under the account itself', async () => {
    const editor = uniqueId('ed');
    gw.sim.sim.addEditor(editor, 'ed-secret');
    await gw.json('PUT', `/editors/${editor}`, { secret: 'ed-secret' });
    const id = `${editor}-a`;
    gw.sim.sim.addAccount(id, { login: id, password: 'x', editor });
    await gw.json('PUT', `/accounts/${id}`, { mode: 'saas', editor });
    gw.sim.sim.inject({ kind: '5xx', path: '/actes', method: 'POST' });
    const push = await gw.json('PUT', `/accounts/${id}/acts`, { acts: [{ code: 'VIS', label: 'Visite' }] });
    expect(push.body).toMatchObject({ status: 'failed' });
    const page = await (await gw.svc.request(`/admin/accounts/${id}`)).text();
    expect(page).toContain('data-error="http_503"');
    expect(page).toContain('Vétélevage: answered HTTP 503');
  });

  it('reads reference tables through a cache', async () => {
    const { id } = await gw.vetAccount();
    const first = (await gw.json('GET', `/accounts/${id}/reference/pathologies`)).body;
    expect(first).toMatchObject({ table: 'pathologies', cached: false });
    expect(first.elements.length).toBeGreaterThan(0);
    expect((await gw.json('GET', `/accounts/${id}/reference/pathologies`)).body.cached).toBe(true);
    expect((await gw.json('GET', `/accounts/${id}/dictionary`)).body.products.length).toBe(DICTIONARY.length);
  });
});
