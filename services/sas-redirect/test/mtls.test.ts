import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServiceForTest } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPscSimulator, startPscSimulator } from '../sim/psc.ts';
import { createMtlsFetch } from '../src/adapters/mtls-fetch.ts';
import { createPscClient } from '../src/adapters/psc.ts';
import { sasRedirect } from '../src/service.ts';
import { CookieJar, loginAtPsc, throwawayPki } from './helpers.ts';

const BASE = 'https://service.test';
const SAS = 'https://sas.example.test';
const CLIENT_ID = 'sas-redirect-mtls';

describe('Pro Santé Connect client authentication by mTLS (tls_client_auth, IGC Santé certificate)', () => {
  const pki = throwawayPki({
    ours: [
      { name: 'commonName', value: 'sas-redirect-test' },
      { name: 'organizationName', value: 'SAMU 44' },
    ],
    other: [
      { name: 'commonName', value: 'another-application' },
      { name: 'organizationName', value: 'SAMU 44' },
    ],
  });
  const dir = mkdtempSync(join(tmpdir(), 'sas-mtls-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text, { mode: 0o600 });
    return join(dir, name);
  };
  /** The browser's side of the login: trusts the test CA (no client certificate needed there). */
  const browserFetch = createMtlsFetch({ ...pki.clients.ours!, ca: pki.ca });
  let psc: RunningPscSimulator;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;

  beforeAll(async () => {
    psc = await startPscSimulator({
      tls: { ...pki.server, ca: pki.ca },
      clients: [
        {
          clientId: CLIENT_ID,
          authMethod: 'tls_client_auth',
          tlsSubjectDn: 'CN=sas-redirect-test,O=SAMU 44',
          redirectUris: [`${BASE}/auth/callback`],
        },
      ],
    });
    svc = await startServiceForTest(sasRedirect, {
      env: {
        PUBLIC_BASE_URL: BASE,
        SAS_BASE_URL: SAS,
        LRM_ORIGINS: 'samu44-lrm',
        PSC_ISSUER: psc.issuer,
        PSC_CLIENT_ID: CLIENT_ID,
        PSC_TLS_CERT_FILE: file('client.crt', pki.clients.ours!.cert),
        PSC_TLS_KEY_FILE: file('client.key', pki.clients.ours!.key),
        PSC_TLS_CA_FILE: file('ca.crt', pki.ca),
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    await psc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in with the client certificate and no secret, then redirects to the SAS', async () => {
    expect(psc.issuer.startsWith('https://')).toBe(true);
    const jar = new CookieJar();
    const first = await svc.request('/search?origin=samu44-lrm&city=Nantes');
    jar.store(first);
    const authorize = first.headers.get('location')!;
    expect(authorize.startsWith(`${psc.walletUrl}/`)).toBe(true);
    const callback = new URL(await loginAtPsc(authorize, jar, undefined, browserFetch));
    const res = await svc.request(`${callback.pathname}${callback.search}`, {
      headers: { cookie: jar.header() },
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(`${SAS}/sas/recherche`);
    expect(location.searchParams.get('city')).toBe('Nantes');
  });

  it('is refused at the token endpoint with a certificate of another subject, even from the same CA', async () => {
    const client = createPscClient({
      issuer: psc.issuer,
      clientId: CLIENT_ID,
      fetch: createMtlsFetch({ ...pki.clients.other!, ca: pki.ca }),
      acrValues: 'eidas1',
      signedUserinfo: false,
      allowHttp: false,
    });
    const start = await client.beginLogin(`${BASE}/auth/callback`);
    const callback = new URL(await loginAtPsc(start.url, new CookieJar(), undefined, browserFetch));
    await expect(client.completeLogin(callback, start)).rejects.toThrow(/invalid_client/);
  });

  it('refuses to start with PSC configured but neither a secret nor a certificate', async () => {
    // Checked before the database is touched, so no database or bus is needed to see it.
    const untouched = new Proxy({} as never, {
      get: () => {
        throw new Error('the database or bus was used before the PSC settings were checked');
      },
    });
    await expect(
      startServiceForTest(sasRedirect, {
        env: { LRM_ORIGINS: 'samu44-lrm', PSC_ISSUER: psc.issuer, PSC_CLIENT_ID: CLIENT_ID },
        bus: untouched,
        database: untouched,
      }),
    ).rejects.toThrow(/PSC_CLIENT_SECRET .* or PSC_TLS_CERT_FILE \+ PSC_TLS_KEY_FILE/);
  });
});
