import { startServiceForTest, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sasRedirect } from '../src/service.ts';

const SAS = 'https://sas.example.test';
const SAS_KEY = 'sas-context-api-key-0123456789';
const LRM_KEY = 'lrm-api-key-0123456789abcdef';

describe('contextual search redirect (no SSO configured)', () => {
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    svc = await startServiceForTest(sasRedirect, {
      env: {
        SAS_BASE_URL: SAS,
        LRM_ORIGINS: 'samu44-lrm,samu69-lrm',
        SAS_CONTEXT_API_KEY: SAS_KEY,
        LRM_API_KEY: LRM_KEY,
        PUBLIC_BASE_URL: 'https://sas-redirect.example.test',
        CONTEXT_TOKEN_SECRET: 'x'.repeat(40),
      },
    });
  });
  afterAll(() => svc.stop());

  const search = (params: Record<string, string>) => svc.request(`/search?${new URLSearchParams(params)}`);

  it('redirects a valid context with 302 to /sas/recherche with the URNs percent-encoded', async () => {
    const res = await search({
      origin: 'samu44-lrm',
      streetnumber: '12',
      streetname: 'rue de la Paix',
      inseecode: '44109',
      city: 'Nantes',
      specialty: 'SM54',
      practitioner: '10005681340',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${SAS}/sas/recherche?origin=samu44-lrm&`)).toBe(true);
    expect(location).toContain('specialty=urn%3Aoid%3A1.2.250.1.213.2.28%7CSM54');
    expect(location).toContain('practitioner=urn%3Aoid%3A1.2.250.1.71.4.2.1%7C810005681340');
  });

  it('accepts specialty and practitioner already given as URNs', async () => {
    const res = await search({
      origin: 'samu44-lrm',
      city: 'Nantes',
      specialty: 'urn:oid:1.2.250.1.213.2.28|SM26',
      practitioner: 'urn:oid:1.2.250.1.71.4.2.1|810005681340',
    });
    const p = new URL(res.headers.get('location')!).searchParams;
    expect(p.get('specialty')).toBe('urn:oid:1.2.250.1.213.2.28|SM26');
    expect(p.get('practitioner')).toBe('urn:oid:1.2.250.1.71.4.2.1|810005681340');
  });

  it('splits a one-line address', async () => {
    const res = await search({ origin: 'samu69-lrm', address: '3 place Bellecour, 69002 Lyon' });
    const p = new URL(res.headers.get('location')!).searchParams;
    expect(Object.fromEntries(p)).toEqual({
      origin: 'samu69-lrm',
      streetnumber: '3',
      streetname: 'place Bellecour',
      inseecode: '69382',
      city: 'Lyon',
    });
  });

  it('answers 403 naming the origin when it is not a configured LRM/SAMU', async () => {
    const res = await search({ origin: 'intruder', city: 'Nantes' });
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body).toMatchObject({ code: 'FORBIDDEN' });
    expect(body.detail).toContain('"intruder"');
  });

  it('refuses (422) a context the SAS would bounce to its home page, with the reason per field', async () => {
    const res = await search({
      origin: 'samu44-lrm',
      streetnumber: '12',
      city: 'Nantes',
      practitioner: '10005681349',
    });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/practitioner', '/streetname']);
    expect(body.detail).toContain('home page');
  });

  it('rejects over-long input with a 400 naming the field', async () => {
    const res = await search({ origin: 'samu44-lrm', city: 'x'.repeat(101) });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].path).toBe('/city');
  });

  it('refuses (400) a misspelled search parameter the SAS would silently ignore, naming it', async () => {
    const res = await search({
      origin: 'samu44-lrm',
      city: 'Nantes',
      speciality: 'SM54',
      rpps: '10005681340',
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors).toEqual([
      { path: '/speciality', message: 'unknown parameter "speciality": did you mean "specialty"?' },
      { path: '/rpps', message: 'unknown parameter "rpps": did you mean "practitioner"?' },
    ]);
    expect((await search({ origin: 'samu44-lrm', city: 'Nantes', inseeCode: '44109' })).status).toBe(400);
    // A parameter that is no misspelling of ours (a tracking tag) passes, as the SAS ignores it.
    expect((await search({ origin: 'samu44-lrm', city: 'Nantes', utm_source: 'lrm' })).status).toBe(302);
  });

  const post = (body: unknown, key = LRM_KEY) =>
    svc.request('/contexts', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });

  it('POST /contexts prepares a launch URL carrying no patient data, usable once', async () => {
    const res = await post({
      origin: 'samu44-lrm',
      streetname: 'rue de la Paix',
      city: 'Nantes',
      specialty: 'SM54',
    });
    expect(res.status).toBe(201);
    const launch = await res.json();
    expect(launch.mode).toBe('plain');
    expect(launch.context).toMatchObject({
      specialty: 'urn:oid:1.2.250.1.213.2.28|SM54',
      specialtyLabel: 'Médecine générale (SM)',
    });
    expect(launch.launchUrl).toMatch(/^https:\/\/sas-redirect\.example\.test\/launch\/[\w-]+$/);
    expect(launch.launchUrl).not.toContain('Paix');
    const path = new URL(launch.launchUrl).pathname;
    const first = await svc.request(path);
    expect(first.status).toBe(302);
    expect(new URL(first.headers.get('location')!).searchParams.get('streetname')).toBe('rue de la Paix');
    expect((await svc.request(path)).status).toBe(410);
  });

  it('POST /contexts requires the LRM bearer and validates the JSON body', async () => {
    expect((await post({ origin: 'samu44-lrm', city: 'Nantes' }, 'wrong-key-0123456789')).status).toBe(401);
    const bad = await post({ origin: 'samu44-lrm', city: 'Nantes', booking: { patient: { lastName: 'X' } } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].path).toBe('/booking/patient/firstName');
  });

  it('POST /contexts refuses an unknown key, naming it and the field it was meant to be', async () => {
    const res = await post({ origin: 'samu44-lrm', city: 'Nantes', specialite: 'SM54' });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors[0].message).toBe('unknown parameter "specialite": did you mean "specialty"?');
    const patient = await post({
      origin: 'samu44-lrm',
      city: 'Nantes',
      booking: { patient: { lastName: 'X', firstName: 'Y', birthdate: '1980-01-01' } },
    });
    expect(patient.status).toBe(400);
    const patientBody = await patient.json();
    expect(patientBody.errors[0].path).toBe('/booking/patient');
    expect(patientBody.errors[0].message).toContain('"birthdate": did you mean "birthDate"?');
  });

  it('sends booking data only through the token mode: the URL has the token, the SAS redeems it once', async () => {
    const res = await post({
      origin: 'samu44-lrm',
      city: 'Nantes',
      booking: { patient: { lastName: 'DUPONT', firstName: 'Jeanne', birthDate: '1950-02-03' } },
    });
    const launch = await res.json();
    expect(launch.mode).toBe('token');
    const redirect = await svc.request(new URL(launch.launchUrl).pathname);
    const location = redirect.headers.get('location')!;
    expect(location).not.toContain('DUPONT');
    expect(location).not.toContain('Nantes');
    const token = new URL(location).searchParams.get('token')!;
    expect([...new URL(location).searchParams.keys()]).toEqual(['token']);

    expect((await svc.request(`/contexts/${token}`)).status).toBe(401);
    const redeemed = await svc.request(`/contexts/${token}`, {
      headers: { authorization: `Bearer ${SAS_KEY}` },
    });
    expect(redeemed.status).toBe(200);
    expect(await redeemed.json()).toMatchObject({
      origin: 'samu44-lrm',
      city: 'Nantes',
      booking: { patient: { lastName: 'DUPONT' } },
    });
    const again = await svc.request(`/contexts/${token}`, {
      headers: { authorization: `Bearer ${SAS_KEY}` },
    });
    expect(again.status).toBe(410);
  });

  it('records each redirect (origin, mode, no patient data) for the admin page, off the request path', async () => {
    await search({ origin: 'samu69-lrm', city: 'Villeurbanne' });
    const page = await waitFor(
      async () => {
        const html = await (await svc.request('/')).text();
        return html.includes('samu69-lrm') ? html : undefined;
      },
      { what: 'redirect on the admin page' },
    );
    expect(page).not.toContain('Villeurbanne');
  });

  it('refuses a forged context token', async () => {
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJ4In0.c2lnbmF0dXJl';
    const res = await svc.request(`/contexts/${forged}`, { headers: { authorization: `Bearer ${SAS_KEY}` } });
    expect(res.status).toBe(404);
  });
});
