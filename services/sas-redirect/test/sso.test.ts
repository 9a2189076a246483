import { startServiceForTest } from '@hip/shared/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PSC_REALM_PATH, type RunningPscSimulator, startPscSimulator } from '../sim/psc.ts';
import { createPscClient } from '../src/adapters/psc.ts';
import { sha256 } from '../src/crypto.ts';
import { sessions } from '../src/db/schema.ts';
import { sasRedirect } from '../src/service.ts';
import { CookieJar, loginAtPsc } from './helpers.ts';

const BASE = 'https://service.test';
const SAS = 'https://sas.example.test';
const CLIENT = { clientId: 'sas-redirect-test', clientSecret: 'test-secret-0123456789' };
const SEARCH = '/search?origin=samu44-lrm&city=Nantes&specialty=SM54';

describe('Pro Santé Connect login before the redirect', () => {
  let psc: RunningPscSimulator;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;

  beforeAll(async () => {
    psc = await startPscSimulator({
      clients: [
        { ...CLIENT, redirectUris: [`${BASE}/auth/callback`], postLogoutRedirectUris: [`${BASE}/`] },
        {
          clientId: 'signed-userinfo',
          clientSecret: 'signed-secret-0123456789',
          redirectUris: [`${BASE}/auth/callback`],
          signedUserinfo: true,
        },
      ],
    });
    const env = {
      PUBLIC_BASE_URL: BASE,
      SAS_BASE_URL: SAS,
      LRM_ORIGINS: 'samu44-lrm',
      PSC_ISSUER: psc.issuer,
      PSC_ALLOW_HTTP: 'true',
    };
    svc = await startServiceForTest(sasRedirect, {
      env: { ...env, PSC_CLIENT_ID: CLIENT.clientId, PSC_CLIENT_SECRET: CLIENT.clientSecret },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await psc?.close();
  });

  /** Runs a login from a /search answer; returns the final answer of our callback. */
  async function login(service: typeof svc, jar: CookieJar) {
    const first = await service.request(SEARCH, { headers: { cookie: jar.header() } });
    expect(first.status).toBe(302);
    jar.store(first);
    const callback = await loginAtPsc(first.headers.get('location')!, jar);
    const url = new URL(callback);
    const res = await service.request(`${url.pathname}${url.search}`, { headers: { cookie: jar.header() } });
    jar.store(res);
    return { authorize: new URL(first.headers.get('location')!), callback: res };
  }

  it('sends a regulator without session to PSC: code flow, PKCE S256, scope_all, eidas1, state and nonce', async () => {
    const res = await svc.request(SEARCH);
    const authorize = new URL(res.headers.get('location')!);
    // As at PSC, the browser goes to the wallet host, not to the issuer's host.
    expect(authorize.origin + authorize.pathname).toBe(`${psc.walletUrl}${PSC_REALM_PATH}/auth`);
    const p = authorize.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('scope')).toBe('openid scope_all');
    expect(p.get('acr_values')).toBe('eidas1');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(p.get('state')).toBeTruthy();
    expect(p.get('nonce')).toBeTruthy();
    // The context waits server side: none of it rides along to PSC.
    expect(authorize.toString()).not.toContain('Nantes');
  });

  it('discovers PSC at the wallet path (the standard path does not exist there)', async () => {
    expect((await fetch(`${psc.issuer}/.well-known/openid-configuration`)).status).toBe(404);
    const doc = await (await fetch(`${psc.issuer}/.well-known/wallet-openid-configuration`)).json();
    expect(doc.issuer).toBe(psc.issuer);
    expect(doc.token_endpoint.startsWith(psc.issuer)).toBe(true);
    expect(doc.authorization_endpoint.startsWith(`${psc.walletUrl}${PSC_REALM_PATH}`)).toBe(true);
  });

  it('after login, lands on the SAS with the context and a rotated HttpOnly Secure SameSite=Lax cookie', async () => {
    const jar = new CookieJar();
    const before = psc.logins();
    const { callback } = await login(svc, jar);
    expect(psc.logins()).toBe(before + 1);
    expect(callback.status).toBe(302);
    const location = new URL(callback.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(`${SAS}/sas/recherche`);
    expect(location.searchParams.get('city')).toBe('Nantes');
    const cookie = callback.headers.getSetCookie().find((c) => c.startsWith('sas_sid='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);

    const second = await svc.request(SEARCH, { headers: { cookie: jar.header() } });
    expect(second.status).toBe(302);
    expect(second.headers.get('location')!.startsWith(`${SAS}/sas/recherche?`)).toBe(true);
    expect(psc.logins()).toBe(before + 1);

    const me = await svc.request('/auth/session', { headers: { cookie: jar.header() } });
    expect(await me.json()).toEqual({
      nationalId: '810001234565',
      profession: '10',
      specialty: 'SM54',
      displayName: 'Pauline RICART',
    });
  });

  it('rotates the session id at each login', async () => {
    const jar = new CookieJar();
    await login(svc, jar);
    const firstId = jar.get('sas_sid');
    await svc.request('/auth/logout', { headers: { cookie: jar.header() } });
    const stale = new CookieJar();
    stale.store(new Response(null, { headers: { 'set-cookie': `sas_sid=${firstId}` } }));
    // A login made while holding an old id gets a new one; the old one no longer opens anything.
    await login(svc, stale);
    expect(stale.get('sas_sid')).not.toBe(firstId);
    const old = await svc.request('/auth/session', { headers: { cookie: `sas_sid=${firstId}` } });
    expect(old.status).toBe(401);
  });

  it('refreshes the access token before it expires (PSC tokens live 2 minutes)', async () => {
    const jar = new CookieJar();
    await login(svc, jar);
    const [row] = await svc.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.idHash, await sha256(jar.get('sas_sid')!)));
    // Pretend the token is about to expire; the next use must refresh it at PSC.
    await svc.database.db
      .update(sessions)
      .set({ accessExpiresAt: new Date(Date.now() + 5_000) })
      .where(eq(sessions.idHash, row!.idHash));
    const res = await svc.request(SEARCH, { headers: { cookie: jar.header() } });
    expect(res.headers.get('location')!.startsWith(SAS)).toBe(true);
    const [after] = await svc.database.db.select().from(sessions).where(eq(sessions.idHash, row!.idHash));
    expect(after!.accessToken).not.toBe(row!.accessToken);
    expect(after!.accessExpiresAt.getTime()).toBeGreaterThan(Date.now() + 60_000);
  });

  it('sends two near-simultaneous clicks to the SAS when the token is about to expire (one refresh)', async () => {
    const jar = new CookieJar();
    await login(svc, jar);
    await svc.database.db
      .update(sessions)
      .set({ accessExpiresAt: new Date(Date.now() + 5_000) })
      .where(eq(sessions.idHash, await sha256(jar.get('sas_sid')!)));
    const clicks = await Promise.all([
      svc.request(SEARCH, { headers: { cookie: jar.header() } }),
      svc.request(SEARCH, { headers: { cookie: jar.header() } }),
    ]);
    expect(clicks.map((r) => r.headers.get('location')!.startsWith(SAS))).toEqual([true, true]);
    const later = await svc.request(SEARCH, { headers: { cookie: jar.header() } });
    expect(later.headers.get('location')!.startsWith(SAS)).toBe(true);
  });

  it('asks for a new login when PSC refuses the refresh', async () => {
    const jar = new CookieJar();
    await login(svc, jar);
    await svc.database.db
      .update(sessions)
      .set({ accessExpiresAt: new Date(), refreshToken: 'revoked-or-forged' })
      .where(eq(sessions.idHash, await sha256(jar.get('sas_sid')!)));
    const res = await svc.request(SEARCH, { headers: { cookie: jar.header() } });
    expect(res.headers.get('location')!.startsWith(psc.walletUrl)).toBe(true);
  });

  it('logs out at PSC too (RP-initiated logout with id_token_hint) and forgets the session', async () => {
    const jar = new CookieJar();
    await login(svc, jar);
    const res = await svc.request('/auth/logout', { headers: { cookie: jar.header() } });
    const location = new URL(res.headers.get('location')!);
    expect(location.toString().startsWith(`${psc.walletUrl}${PSC_REALM_PATH}/session/end`)).toBe(true);
    expect(location.searchParams.get('id_token_hint')).toBeTruthy();
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${BASE}/`);
    expect(res.headers.getSetCookie().join(';')).toMatch(/sas_sid=;/);
    const again = await svc.request(SEARCH, { headers: { cookie: jar.header() } });
    expect(again.headers.get('location')!.startsWith(psc.walletUrl)).toBe(true);
  });

  it.each([
    ['asked for it', true],
    ['did not ask (PSC decides per client)', false],
  ])('reads the userinfo when PSC answers it as a signed JWT, whether the client %s', async (_, asked) => {
    const client = createPscClient({
      issuer: psc.issuer,
      clientId: 'signed-userinfo',
      clientSecret: 'signed-secret-0123456789',
      acrValues: 'eidas1',
      signedUserinfo: asked,
      allowHttp: true,
    });
    const start = await client.beginLogin(`${BASE}/auth/callback`);
    const callback = await loginAtPsc(start.url, new CookieJar());
    const tokens = await client.completeLogin(new URL(callback), start);
    const raw = await fetch(`${psc.issuer}/me`, {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(raw.headers.get('content-type')).toContain('application/jwt');
    const claims = await client.userinfo(tokens.accessToken, tokens.subject);
    expect(claims.SubjectNameID).toBe('810001234565');
    expect(claims.SubjectRefPro).toMatchObject({ exercices: [{ codeProfession: '10' }] });
  });

  it('starts a login without a search at /auth/login and lands home after it', async () => {
    const jar = new CookieJar();
    const res = await svc.request('/auth/login');
    expect(res.status).toBe(302);
    jar.store(res);
    const callback = new URL(await loginAtPsc(res.headers.get('location')!, jar));
    const back = await svc.request(`${callback.pathname}${callback.search}`, {
      headers: { cookie: jar.header() },
    });
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/');
    jar.store(back);
    const me = await svc.request('/auth/session', { headers: { cookie: jar.header() } });
    expect((await me.json()).nationalId).toBe('810001234565');
    const doc = await (await svc.request('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/auth/login', '/auth/logout']));
  });

  it('refuses a callback whose state is unknown, and one where PSC reports an error', async () => {
    const unknown = await svc.request('/auth/callback?code=x&state=nope');
    expect(unknown.status).toBe(400);
    const jar = new CookieJar();
    const start = await svc.request(SEARCH);
    jar.store(start);
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const denied = await svc.request(`/auth/callback?error=access_denied&state=${state}`, {
      headers: { cookie: jar.header() },
    });
    expect(denied.status).toBe(401);
    expect((await denied.json()).detail).toContain('access_denied');
  });

  it('honours a callback only in the browser that started the login (login CSRF)', async () => {
    const attacker = new CookieJar();
    const start = await svc.request(SEARCH);
    attacker.store(start);
    // The attacker logs in with their own card and hands the callback URL to a regulator.
    const callback = new URL(await loginAtPsc(start.headers.get('location')!, attacker));
    const victim = new CookieJar();
    const res = await svc.request(`${callback.pathname}${callback.search}`, {
      headers: { cookie: victim.header() },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toContain('started in another browser');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('sas_sid='))).toBe(false);
  });

  it('sets the login cookie HttpOnly, Secure, SameSite=Lax, sent to the callback only', async () => {
    const start = await svc.request(SEARCH);
    const cookie = start.headers.getSetCookie().find((c) => c.startsWith('sas_sid_login='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/auth\/callback/i);
  });

  describe('token checks (openid-client against the real provider)', () => {
    const signedClient = (fetchImpl?: typeof fetch) =>
      createPscClient({
        issuer: psc.issuer,
        clientId: 'signed-userinfo',
        clientSecret: 'signed-secret-0123456789',
        acrValues: 'eidas1',
        signedUserinfo: true,
        allowHttp: true,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      });

    it('refuses a callback whose state or nonce does not match the login it started', async () => {
      const client = signedClient();
      const start = await client.beginLogin(`${BASE}/auth/callback`);
      const callback = new URL(await loginAtPsc(start.url, new CookieJar()));
      await expect(client.completeLogin(callback, { ...start, state: 'another-state' })).rejects.toThrow(
        /state/,
      );
      const second = await client.beginLogin(`${BASE}/auth/callback`);
      const callback2 = new URL(await loginAtPsc(second.url, new CookieJar()));
      await expect(client.completeLogin(callback2, { ...second, nonce: 'another-nonce' })).rejects.toThrow(
        /nonce/,
      );
    });

    it('refuses an ID token whose signature does not verify against the PSC keys', async () => {
      const client = signedClient(tamper((url) => url.pathname.endsWith('/token'), 'id_token'));
      const start = await client.beginLogin(`${BASE}/auth/callback`);
      const callback = new URL(await loginAtPsc(start.url, new CookieJar()));
      await expect(client.completeLogin(callback, start)).rejects.toThrow(/signature/i);
    });

    it('refuses a signed userinfo whose signature does not verify against the PSC keys', async () => {
      const client = signedClient(tamper((url) => url.pathname.endsWith('/me'), 'body'));
      const start = await client.beginLogin(`${BASE}/auth/callback`);
      const callback = new URL(await loginAtPsc(start.url, new CookieJar()));
      const tokens = await client.completeLogin(callback, start);
      await expect(client.userinfo(tokens.accessToken, tokens.subject)).rejects.toThrow(/signature/i);
    });

    it('refuses a login whose ID token does not carry the requested acr (eidas1)', async () => {
      const client = createPscClient({
        issuer: psc.issuer,
        clientId: 'signed-userinfo',
        clientSecret: 'signed-secret-0123456789',
        acrValues: 'eidas2',
        signedUserinfo: true,
        allowHttp: true,
      });
      const start = await client.beginLogin(`${BASE}/auth/callback`);
      const callback = new URL(await loginAtPsc(start.url, new CookieJar()));
      await expect(client.completeLogin(callback, start)).rejects.toThrow(/acr "eidas1"/);
    });
  });
});

/** Changes one character in the middle of a JWT signature, in a JSON field or a whole JWT body. */
function alterSignature(jwt: string): string {
  const dot = jwt.lastIndexOf('.');
  const at = dot + Math.floor((jwt.length - dot) / 2);
  return `${jwt.slice(0, at)}${jwt[at] === 'A' ? 'B' : 'A'}${jwt.slice(at + 1)}`;
}

/** A fetch that lets PSC answer, then alters the JWT of the answers `match` selects. */
function tamper(match: (url: URL) => boolean, where: 'id_token' | 'body'): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!match(url) || !response.ok) return response;
    const text = await response.text();
    const body =
      where === 'body'
        ? alterSignature(text)
        : JSON.stringify({ ...JSON.parse(text), id_token: alterSignature(JSON.parse(text).id_token) });
    return new Response(body, { status: response.status, headers: response.headers });
  }) as typeof fetch;
}
