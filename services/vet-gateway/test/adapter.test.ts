import { UpstreamError } from '@hip/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVisits } from '../sim/catalogue.ts';
import { type RunningVetelevageSimulator, startVetelevageSimulator } from '../sim/server.ts';
import { createVetelevageClient } from '../src/adapters/vetelevage/client.ts';
import { uniqueId } from './helpers.ts';

let sim: RunningVetelevageSimulator;
beforeAll(async () => {
  sim = await startVetelevageSimulator({ batchSize: 3 });
});
afterAll(() => sim.close());

const client = () => createVetelevageClient({ baseUrl: sim.url, timeoutMs: 1_000 });
const vetAccount = (visits = 0) => {
  const id = uniqueId('acc');
  sim.sim.addAccount(id, { login: id, password: 'pw' });
  sim.sim.addVisits(id, makeVisits(id, visits, { seed: id }));
  return { id, session: client().session({ mode: 'veterinaire', login: id, password: 'pw' }) };
};

describe('Vétélevage adapter against the simulator (over HTTP)', () => {
  it('GET /visites returns the same frozen batch until DELETE /visites moves on', async () => {
    const { session } = vetAccount(5);
    const first = await session.getVisits();
    expect(first.visites).toHaveLength(3);
    const again = await session.getVisits();
    expect(again).toEqual(first);
    await session.deleteVisits(first.lot as string);
    const next = await session.getVisits();
    expect(next.lot).not.toBe(first.lot);
    expect(next.visites.map((v) => v.id)).not.toContain(first.visites[0]?.id);
    await session.deleteVisits(next.lot as string);
    expect(await session.getVisits()).toEqual({ lot: null, visites: [], rejected: [] });
  });

  it('refuses to DELETE a batch other than the frozen one', async () => {
    const { session } = vetAccount(2);
    await session.getVisits();
    await expect(session.deleteVisits('another-lot')).rejects.toMatchObject({ details: { status: 409 } });
  });

  it('SaaS mode groups the visits of every account linked to the editor, each tagged with its account', async () => {
    const editor = uniqueId('ed');
    sim.sim.addEditor(editor, 's');
    for (const a of ['x', 'y']) {
      sim.sim.addAccount(`${editor}-${a}`, { login: `${editor}-${a}`, password: 'p', editor });
      sim.sim.addVisits(`${editor}-${a}`, makeVisits(`${editor}-${a}`, 1, { seed: a }));
    }
    const session = client().session({ mode: 'saas', editor, secret: 's' });
    const batch = await session.getVisits();
    expect(batch.visites.map((v) => v.compte).sort()).toEqual([`${editor}-x`, `${editor}-y`]);
    // One account of the editor can also be targeted alone.
    await session.postActs([{ code: 'VIS', libelle: 'Visite' }], `${editor}-x`);
    expect(await session.getActs(`${editor}-x`)).toEqual([{ code: 'VIS', libelle: 'Visite' }]);
  });

  it('POST /actes replaces the whole list held by Vétélevage', async () => {
    const { session } = vetAccount();
    await session.postActs([
      { code: 'A', libelle: 'a' },
      { code: 'B', libelle: 'b' },
    ]);
    await session.postActs([{ code: 'C', libelle: 'c' }]);
    expect(await session.getActs()).toEqual([{ code: 'C', libelle: 'c' }]);
  });

  it('reads reference tables and the product dictionary, GTIN present only for non clinic-specific products', async () => {
    const { session } = vetAccount();
    const routes = await session.referenceTable('voies-administration');
    expect(routes.elements.map((e) => e.id)).toContain('IM');
    const dictionary = await session.productDictionary();
    expect(dictionary.some((p) => p.specifique_clinique && p.gtin === null)).toBe(true);
    expect(dictionary.some((p) => !p.specifique_clinique && p.gtin)).toBe(true);
  });

  it('renews its token once on 401 and fails clearly on refused credentials', async () => {
    const { id, session } = vetAccount(1);
    await session.getVisits();
    sim.sim.inject({ kind: '401', path: '/visites' });
    expect((await session.getVisits()).visites).toHaveLength(1);
    const wrong = client().session({ mode: 'veterinaire', login: id, password: 'wrong' });
    const error = await wrong.getVisits().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).retryable).toBe(false);
    expect((error as UpstreamError).message).toBe(
      `Vétélevage: refused the veterinaire credentials of login ${id} (HTTP 401)`,
    );
  });

  it('turns 5xx, timeouts and malformed JSON into UpstreamErrors of the right kind', async () => {
    const { session } = vetAccount(1);
    await session.getVisits();
    sim.sim.inject({ kind: '5xx', path: '/visites' });
    await expect(session.getVisits()).rejects.toMatchObject({
      kind: 'status',
      retryable: true,
      details: { status: 503 },
    });
    sim.sim.inject({ kind: 'timeout', path: '/visites', delayMs: 1_500 });
    await expect(session.getVisits()).rejects.toMatchObject({ kind: 'timeout', retryable: true });
    sim.sim.inject({ kind: 'malformed', path: '/visites' });
    await expect(session.getVisits()).rejects.toMatchObject({ kind: 'malformed', retryable: false });
  });

  it('checks each visit on its own: one that breaks the contract comes apart with its id and fields', async () => {
    const { id, session } = vetAccount(0);
    const visits = makeVisits(id, 3, { seed: `${id}-bad` });
    (visits[1] as { date: string }).date = '12/03/2025';
    sim.sim.addVisits(id, visits);
    const batch = await session.getVisits();
    expect(batch.visites.map((v) => v.id)).toEqual([visits[0]?.id, visits[2]?.id]);
    expect(batch.rejected).toEqual([
      {
        position: 1,
        visitId: visits[1]?.id,
        compte: id,
        raw: expect.objectContaining({ date: '12/03/2025' }),
        problems: [{ path: '/date', message: 'must be an ISO date' }],
      },
    ]);
  });
});
