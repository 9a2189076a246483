import { formatTimestamp } from '@hip/shared';
import { waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DICTIONARY, makeVisits } from '../sim/catalogue.ts';
import { applyBootstrap } from '../src/bootstrap.ts';
import { createSecretBox } from '../src/secrets.ts';
import { type Gateway, randomKey, startGateway } from './helpers.ts';

const oxy = DICTIONARY[0] as (typeof DICTIONARY)[number];
const peni = DICTIONARY[6] as (typeof DICTIONARY)[number];

/** Posts a form of an admin page and shows the page it ends on, with its message, as a browser would. */
async function submit(gw: Gateway, path: string, fields: Record<string, string> = {}) {
  const res = await gw.svc.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  expect(res.status, await res.clone().text()).toBe(303);
  const location = res.headers.get('location') ?? '';
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await gw.svc.request(location, { headers: { cookie } });
  const html = await page.text();
  const flash = /<p class="flash (ok|error)"[^>]*>([^<]*)<\/p>/.exec(html);
  return { location, html, tone: flash?.[1], message: flash?.[2]?.replaceAll('&quot;', '"') };
}

describe('admin page actions end on the page with what happened', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw?.stop());

  it('Import now says how many visits came in, then that nothing is left', async () => {
    const { id } = await gw.vetAccount(3);
    const first = await submit(gw, `/admin/accounts/${id}/import`, { back: 'account' });
    expect(first.location).toBe(`/admin/accounts/${id}`);
    expect(first).toMatchObject({ tone: 'ok', message: `Imported for ${id}: 3 new visits.` });
    expect(first.html.match(/<tr data-visit=/g)).toHaveLength(3);
    const again = await submit(gw, `/admin/accounts/${id}/import`, { back: 'list' });
    expect(again.location).toBe('/admin');
    expect(again).toMatchObject({
      tone: 'ok',
      message: `Nothing new to import for ${id}: Vétélevage has no visit waiting.`,
    });
  });

  it('Import now says when Vétélevage refuses the account credentials', async () => {
    const { id } = await gw.vetAccount(1);
    gw.sim.sim.changePassword(id, 'changed-in-vetelevage');
    const res = await submit(gw, `/admin/accounts/${id}/import`, { back: 'account' });
    expect(res.tone).toBe('error');
    expect(res.message).toMatch(
      new RegExp(`^Import of ${id} failed: .*refused the veterinaire credentials of login ${id}-login`),
    );
  });

  it('Import now on an unknown account ends on the account list with a message', async () => {
    const res = await submit(gw, '/admin/accounts/nobody-here/import');
    expect(res).toMatchObject({
      location: '/admin',
      tone: 'error',
      message: 'Account nobody-here is not registered.',
    });
  });

  it('Import now waits for the import this process is running, rather than answer busy', async () => {
    const { id } = await gw.vetAccount(2);
    gw.sim.sim.setDelay(300);
    try {
      const scheduled = gw.importNow(id);
      // The page's import starts while the first one is inside its GET /visites.
      await waitFor(() => gw.sim.sim.stats.inFlightVisits.get(id) === 1, {
        what: 'the first import running',
      });
      const clicked = await submit(gw, `/admin/accounts/${id}/import`, { back: 'account' });
      expect((await scheduled).body).toMatchObject({ status: 'ok', visitsNew: 2 });
      expect(clicked).toMatchObject({
        tone: 'ok',
        message: `Nothing new to import for ${id}: Vétélevage has no visit waiting.`,
      });
    } finally {
      gw.sim.sim.setDelay(0);
    }
  });

  it('maps a product without suggestion by choosing any catalogue product, and its billing line follows', async () => {
    const { id } = await gw.vetAccount();
    const visit = makeVisits(id, 1, { seed: id, startAt: 4, linesPerVisit: 4 })[0];
    if (!visit) throw new Error('no visit');
    gw.sim.sim.addVisits(id, [visit]);
    await gw.json('PUT', `/accounts/${id}/catalogue`, {
      products: [
        { id: 'LG-PENI', name: 'Benzylpénicilline procaïne (flacon)' },
        { id: 'LG-OXY', name: 'Oxytétracycline 10 %', gtin: oxy.gtin },
      ],
    });
    await gw.importNow(id);
    const before = await (await gw.svc.request(`/admin/accounts/${id}`)).text();
    expect(before).toContain('<datalist id="lgcv-catalogue">');
    expect(before).toMatch(
      new RegExp(`<tr data-product="${peni.id}">[\\s\\S]*?no suggestion[\\s\\S]*?data-pick="${peni.id}"`),
    );

    const res = await submit(gw, `/admin/accounts/${id}/mappings`, {
      vetelevageId: peni.id,
      lgcvId: 'LG-PENI',
    });
    expect(res).toMatchObject({
      tone: 'ok',
      message: `Vétélevage product ${peni.id} mapped to Benzylpénicilline procaïne (flacon) (LG-PENI): billing lines of 1 visit updated.`,
    });
    expect(res.html).toMatch(
      new RegExp(
        `data-product="${peni.id}" data-status="ok">[^<]*<span class="muted">→ Benzylpénicilline procaïne \\(flacon\\) \\(LG-PENI\\)`,
      ),
    );
    expect(res.html).toContain(`<tr data-mapped="${peni.id}">`);
    const lines = (await gw.json('GET', `/accounts/${id}/visits/${visit.id}/lines`)).body;
    expect(JSON.stringify(lines)).toContain('"lgcvProductId":"LG-PENI"');
  });

  it('accepts the exact product name typed in the picker, and refuses what is not in the catalogue', async () => {
    const { id } = await gw.vetAccount(1);
    await gw.json('PUT', `/accounts/${id}/catalogue`, { products: [{ id: 'LG-X', name: 'Produit X' }] });
    await gw.importNow(id);
    const refused = await submit(gw, `/admin/accounts/${id}/mappings`, {
      vetelevageId: oxy.id,
      lgcvId: 'Produit Y',
    });
    expect(refused).toMatchObject({
      tone: 'error',
      message: `"Produit Y" is not a product of the LGCV catalogue of ${id}: choose one from the list.`,
    });
    expect((await gw.json('GET', `/accounts/${id}/mappings`)).body.mappings).toEqual([]);
    const empty = await submit(gw, `/admin/accounts/${id}/mappings`, { vetelevageId: oxy.id, lgcvId: ' ' });
    expect(empty).toMatchObject({ tone: 'error', message: `Choose an LGCV product for ${oxy.id}.` });
    const byName = await submit(gw, `/admin/accounts/${id}/mappings`, {
      vetelevageId: oxy.id,
      lgcvId: 'produit x',
    });
    expect(byName.tone).toBe('ok');
    expect((await gw.json('GET', `/accounts/${id}/mappings`)).body.mappings).toMatchObject([
      { vetelevageId: oxy.id, lgcvId: 'LG-X' },
    ]);
  });

  it('Reprocess of a visit that is gone ends on the page with the reason', async () => {
    const { id } = await gw.vetAccount();
    const res = await submit(gw, `/admin/accounts/${id}/rejected-visits/999999/reprocess`);
    expect(res).toMatchObject({ tone: 'error', message: `no open rejected visit 999999 for account ${id}` });
  });

  it('shows times in Paris time with their offset, never as ISO strings', async () => {
    const { id } = await gw.vetAccount(1);
    gw.sim.sim.changePassword(id, 'other');
    await gw.importNow(id);
    const list = await (await gw.svc.request('/admin')).text();
    const page = await (await gw.svc.request(`/admin/accounts/${id}`)).text();
    for (const html of [list, page]) {
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).not.toMatch(/>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    }
    const [row] = (await gw.json('GET', '/accounts')).body.accounts.filter(
      (a: { id: string }) => a.id === id,
    );
    expect(list).toContain(formatTimestamp(row.lastImportAt));
    const [error] = (await gw.json('GET', `/accounts/${id}/errors`)).body.errors;
    expect(page).toContain(formatTimestamp(error.at));
  });
});

describe('demo catalogue from VET_BOOTSTRAP', () => {
  it('fills an account without catalogue, so that suggestions appear, and never replaces one the LGCV pushed', async () => {
    const key = randomKey();
    const gw = await startGateway({
      env: {
        VET_SECRETS_KEY: key,
        VET_BOOTSTRAP: JSON.stringify({
          accounts: [
            {
              id: 'boot-1',
              mode: 'veterinaire',
              login: 'boot-1',
              password: 'pw',
              catalogue: [{ id: 'LG-OXY', name: 'Oxy', gtin: oxy.gtin }],
            },
          ],
        }),
      },
    });
    try {
      gw.sim.sim.addAccount('boot-1', { login: 'boot-1', password: 'pw' });
      gw.sim.sim.addVisits('boot-1', makeVisits('boot-1', 1, { seed: 'boot-1' }));
      await gw.importNow('boot-1');
      const unmapped = (await gw.json('GET', '/accounts/boot-1/products/unmapped')).body.products;
      expect(unmapped.find((p: { vetelevageId: string }) => p.vetelevageId === oxy.id).suggestions).toEqual([
        { lgcvId: 'LG-OXY', name: 'Oxy', reason: 'gtin', score: 1 },
      ]);

      await gw.json('PUT', '/accounts/boot-1/catalogue', { products: [{ id: 'LG-PUSHED', name: 'Pushed' }] });
      await applyBootstrap(gw.svc.database.db, await createSecretBox(key), {
        editors: [],
        accounts: [
          {
            id: 'boot-1',
            mode: 'veterinaire',
            login: 'boot-1',
            password: 'pw',
            catalogue: [{ id: 'LG-OXY', name: 'Oxy' }],
          },
        ],
      });
      const after = (await gw.json('GET', '/accounts/boot-1/products/unmapped')).body.products;
      expect(
        after.flatMap((p: { suggestions: { lgcvId: string }[] }) => p.suggestions.map((s) => s.lgcvId)),
      ).not.toContain('LG-OXY');
    } finally {
      await gw.stop();
    }
  });

  it('stops the start with the account named when the bootstrap catalogue repeats a product id', async () => {
    await expect(
      startGateway({
        env: {
          VET_BOOTSTRAP: JSON.stringify({
            accounts: [
              {
                id: 'boot-2',
                mode: 'saas',
                editor: 'e',
                catalogue: [
                  { id: 'A', name: 'a' },
                  { id: 'A', name: 'b' },
                ],
              },
            ],
          }),
        },
      }),
    ).rejects.toThrow(
      'VET_BOOTSTRAP: catalogue of account boot-2: catalogue refused: /products/1/id: duplicate product id "A"',
    );
  });
});
