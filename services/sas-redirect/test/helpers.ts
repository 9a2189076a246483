import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A minimal cookie jar for following a login across the PSC simulator with fetch. */
export class CookieJar {
  private cookies = new Map<string, string>();
  store(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (value === '' || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line))
        this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(name: string) {
    return this.cookies.get(name);
  }
}

/** Drives the PSC simulator's e-CPS page from an authorize URL to our callback URL (with code and state). */
export async function loginAtPsc(
  authorizeUrl: string,
  jar: CookieJar,
  account?: string,
  /** For an HTTPS simulator whose CA the global fetch does not trust. */
  fetch: typeof globalThis.fetch = globalThis.fetch,
): Promise<string> {
  let url = authorizeUrl;
  for (let hops = 0; hops < 10; hops++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(res);
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url).toString();
      if (next.includes('/auth/callback')) return next;
      url = next;
      continue;
    }
    const html = await res.text();
    const form = /<form method="post" action="([^"]+)">/.exec(html);
    if (!form) throw new Error(`PSC page without login form (HTTP ${res.status}): ${html.slice(0, 300)}`);
    const value = account ?? /name="account" value="([^"]+)"/.exec(html)![1]!;
    const post = await fetch(new URL(form[1]!, url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ account: value }),
    });
    jar.store(post);
    url = new URL(post.headers.get('location')!, url).toString();
  }
  throw new Error('too many redirects at PSC');
}

export interface Pem {
  cert: string;
  key: string;
}

/**
 * A throwaway PKI for mTLS tests: a CA standing in for IGC Santé, a server certificate for
 * localhost and 127.0.0.1, and client certificates with the given subjects, signed by the CA.
 */
export function throwawayPki(clients: Record<string, forge.pki.CertificateField[]>) {
  const keyPair = () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
    const publicKey = forge.pki.setRsaPublicKey(
      (key as forge.pki.rsa.PrivateKey).n,
      (key as forge.pki.rsa.PrivateKey).e,
    );
    return { key: key as forge.pki.rsa.PrivateKey, publicKey };
  };
  const issue = (
    subject: forge.pki.CertificateField[],
    extensions: object[],
    signer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey },
  ) => {
    const { key, publicKey } = keyPair();
    const cert = forge.pki.createCertificate();
    cert.publicKey = publicKey;
    cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject(subject);
    cert.setIssuer(signer ? signer.cert.subject.attributes : subject);
    cert.setExtensions(extensions);
    cert.sign(signer?.key ?? key, forge.md.sha256.create());
    return {
      cert,
      key,
      pem: { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(key) },
    };
  };
  const ca = issue(
    [{ name: 'commonName', value: 'Test IGC Sante' }],
    [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true },
    ],
  );
  const server = issue(
    [{ name: 'commonName', value: 'localhost' }],
    [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
      { name: 'extKeyUsage', serverAuth: true },
    ],
    ca,
  );
  const issued: Record<string, Pem> = {};
  for (const [name, subject] of Object.entries(clients)) {
    issued[name] = issue(subject, [{ name: 'extKeyUsage', clientAuth: true }], ca).pem;
  }
  return { ca: ca.pem.cert, server: server.pem, clients: issued };
}
