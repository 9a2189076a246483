import { describe, expect, it } from 'vitest';
import { DEMO_LGCV_CATALOGUE, DICTIONARY } from '../sim/catalogue.ts';
import { MAX_NEW_VISITS, parseVisitCount } from '../sim/control.tsx';
import { startDemoSimulator } from '../sim/demo.ts';
import { createVetelevageSimulator } from '../sim/vetelevage.ts';
import { BootstrapSchema } from '../src/bootstrap.ts';
import { checkGtin } from '../src/domain/gtin.ts';
import { suggestMatches } from '../src/domain/suggest.ts';

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
/** The flash cookie a 303 sets, as the browser sends it back. */
const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

function simWithAccount() {
  const sim = createVetelevageSimulator();
  sim.addAccount('acc-1', { login: 'l1', password: 'p1' });
  return sim;
}

describe('Vétélevage simulator control plane', () => {
  it('answers without a token, while the simulated API still requires one', async () => {
    const sim = simWithAccount();
    const page = await sim.app.request('/_sim');
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/^<!doctype html>/);
    expect((await sim.app.request('/_sim/state')).status).toBe(200);
    expect((await sim.app.request('/_sim/accounts/acc-1/visits?count=2', { method: 'POST' })).status).toBe(
      200,
    );
    expect((await sim.app.request('/visites')).status).toBe(401);
    expect((await sim.app.request('/actes')).status).toBe(401);
    expect(sim.remaining('acc-1')).toBe(2);
  });

  it('shows each account with its waiting visits', async () => {
    const sim = simWithAccount();
    await sim.app.request('/_sim/accounts/acc-1/visits?count=2', { method: 'POST' });
    const html = await (await sim.app.request('/_sim')).text();
    expect(html).toContain('data-account="acc-1"');
    expect(html).toContain('data-pending="2"');
    expect(html.match(/<li data-visit=/g)).toHaveLength(2);
    expect(await (await sim.app.request('/_sim/state')).json()).toEqual({
      accounts: [{ id: 'acc-1', pending: 2, frozen: 0, acts: 0 }],
      editors: [],
    });
  });

  it('makes new visits from its form and says so on the page', async () => {
    const sim = simWithAccount();
    const res = await sim.app.request('/_sim/accounts/acc-1/visits', form({ count: '4' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/_sim');
    expect(sim.remaining('acc-1')).toBe(4);
    const html = await (await sim.app.request('/_sim', { headers: { cookie: cookieOf(res) } })).text();
    expect(html).toContain('4 new visits made for acc-1: 4 waiting for vet-gateway to import them');
  });

  it('refuses a bad count or an unknown account with a message naming it', async () => {
    const sim = simWithAccount();
    const bad = await sim.app.request('/_sim/accounts/acc-1/visits', form({ count: '0' }));
    expect(await (await sim.app.request('/_sim', { headers: { cookie: cookieOf(bad) } })).text()).toContain(
      `count must be a whole number from 1 to ${MAX_NEW_VISITS}, not &quot;0&quot;`,
    );
    const unknown = await sim.app.request('/_sim/accounts/nobody/visits', form({ count: '1' }));
    expect(
      await (await sim.app.request('/_sim', { headers: { cookie: cookieOf(unknown) } })).text(),
    ).toContain('unknown account nobody');
    const json = await sim.app.request('/_sim/accounts/acc-1/visits?count=abc', { method: 'POST' });
    expect(json.status).toBe(400);
    expect(sim.remaining('acc-1')).toBe(0);
  });

  it('parses the number of visits to make', () => {
    expect(parseVisitCount(undefined)).toEqual({ ok: true, count: 3 });
    expect(parseVisitCount(' 12 ')).toEqual({ ok: true, count: 12 });
    expect(parseVisitCount('2.5').ok).toBe(false);
    expect(parseVisitCount(String(MAX_NEW_VISITS + 1)).ok).toBe(false);
  });
});

describe('demo simulator of pnpm start', () => {
  it('links its control page, lists the demo credentials and links each account with the demo catalogue', async () => {
    const demo = await startDemoSimulator({}, 0);
    try {
      const [link] = demo.links;
      expect(link?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_sim$/);
      const res = await fetch(link?.url ?? '');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      const values = demo.credentials.map((c) => c.value);
      expect(values).toEqual([
        'pres / pres-demo',
        'bocage / bocage-demo',
        'demo-editeur / demo-editeur-secret',
      ]);
      const bootstrap = BootstrapSchema.parse(JSON.parse(demo.env.VET_BOOTSTRAP));
      for (const account of bootstrap.accounts) expect(account.catalogue).toEqual(DEMO_LGCV_CATALOGUE);
    } finally {
      await demo.stop();
    }
  });

  it('has a demo catalogue giving GTIN and name suggestions, and leaves products to map by hand', () => {
    const entries = DEMO_LGCV_CATALOGUE.map((p) => ({
      lgcvId: p.id,
      name: p.name,
      gtin14: p.gtin ? (checkGtin(p.gtin) as { gtin14: string }).gtin14 : null,
    }));
    const suggestion = (id: string) => {
      const product = DICTIONARY.find((p) => p.id === id);
      if (!product) throw new Error(`no ${id} in the dictionary`);
      const gtin = product.gtin ? checkGtin(product.gtin) : undefined;
      return suggestMatches({ gtin14: gtin?.ok ? gtin.gtin14 : null, label: product.libelle }, entries)[0];
    };
    expect(suggestion('VE-1000')).toMatchObject({ lgcvId: 'LG-OXY-100', reason: 'gtin' });
    expect(suggestion('VE-1002')).toMatchObject({ lgcvId: 'LG-IVER-1L', reason: 'name' });
    expect(suggestion('VE-1006')).toBeUndefined();
    expect(suggestion('VE-C-2')).toBeUndefined();
  });
});
