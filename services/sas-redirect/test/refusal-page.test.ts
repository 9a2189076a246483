import { PROBLEM_CONTENT_TYPE } from '@hip/shared';
import { startServiceForTest } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sasRedirect } from '../src/service.ts';

/** What Chromium sends when the regulator clicks the LRM's link. */
const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('a refused search, as the regulator browser sees it and as an API client sees it', () => {
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    svc = await startServiceForTest(sasRedirect, {
      env: {
        SAS_BASE_URL: 'https://sas.example.test',
        LRM_ORIGINS: 'samu44-lrm',
        PUBLIC_BASE_URL: 'https://sas-redirect.example.test',
      },
    });
  });
  afterAll(() => svc.stop());

  const search = (params: Record<string, string>, accept?: string) =>
    svc.request(`/search?${new URLSearchParams(params)}`, accept ? { headers: { accept } } : {});

  /** The French sentences of the page, one per refused field, keyed by parameter. */
  const fieldLines = (html: string) =>
    Object.fromEntries(
      [...html.matchAll(/<li data-field="([^"]+)"><strong>[^<]*<\/strong> : ([^<]*)<\/li>/g)].map((m) => [
        m[1],
        m[2]!.replaceAll('&#39;', "'").replaceAll('&quot;', '"'),
      ]),
    );

  it('shows a browser the refused context in French, field by field, at the same status, with the request id', async () => {
    const res = await search(
      { origin: 'samu44-lrm', address: '12 rue de la Paix, 7500 Paris', practitioner: '10005681349' },
      BROWSER_ACCEPT,
    );
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('vary')).toContain('Accept');
    const html = await res.text();
    expect(html.startsWith('<!doctype html><html lang="fr">')).toBe(true);
    expect(html).toContain('le contexte transmis par le LRM est à corriger');
    expect(fieldLines(html)).toEqual({
      address: 'Le code postal « 7500 » doit comporter 5 chiffres',
      practitioner: 'Le RPPS 10005681349 a une clé de contrôle fausse : le 11e chiffre attendu est 0',
    });
    expect(html).toContain(`<code data-testid="request-id">${res.headers.get('x-request-id')}</code>`);
  });

  it('keeps application/problem+json, in English with errors[], for API clients', async () => {
    const bad = { origin: 'samu44-lrm', streetnumber: '3', inseecode: '7510' };
    for (const accept of [
      undefined,
      '*/*',
      'application/json',
      'application/problem+json, text/html;q=0.5',
    ]) {
      const res = await search(bad, accept);
      expect(res.status, `Accept: ${accept}`).toBe(422);
      expect(res.headers.get('content-type'), `Accept: ${accept}`).toBe(PROBLEM_CONTENT_TYPE);
      const body = (await res.json()) as { errors: { path: string; message: string }[]; requestId: string };
      expect(body.errors.map((e) => e.path)).toEqual(['/streetname', '/inseecode']);
      expect(body.requestId).toBe(res.headers.get('x-request-id'));
    }
  });

  it('explains in French an origin the SAS does not know (403), a misspelled parameter and an over-long one (400)', async () => {
    const origin = await search({ origin: 'samu99', city: 'Nantes' }, BROWSER_ACCEPT);
    expect(origin.status).toBe(403);
    expect(fieldLines(await origin.text())).toEqual({
      origin: "L'origine « samu99 » n'est pas un LRM/SAMU déclaré : le SAS afficherait « flux désactivé »",
    });

    const misspelled = await search(
      { origin: 'samu44-lrm', city: 'Nantes', speciality: 'SM54' },
      BROWSER_ACCEPT,
    );
    expect(misspelled.status).toBe(400);
    expect(fieldLines(await misspelled.text())).toEqual({
      speciality:
        "Le paramètre « speciality » est inconnu du SAS, qui l'ignorerait : le bon nom est « specialty »",
    });

    const long = await search({ origin: 'samu44-lrm', city: 'N'.repeat(101) }, BROWSER_ACCEPT);
    expect(long.status).toBe(400);
    expect(fieldLines(await long.text())).toEqual({
      city: 'La valeur est trop longue : 100 caractères au plus',
    });
  });

  it('answers an unknown prepared search in French too, with its request id', async () => {
    const res = await svc.request(`/launch/${'x'.repeat(32)}`, { headers: { accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain('<h1>Recherche introuvable</h1>');
    expect(html).toContain('Relancez-la depuis le dossier du LRM.');
    expect(html).toContain(res.headers.get('x-request-id')!);
  });
});
