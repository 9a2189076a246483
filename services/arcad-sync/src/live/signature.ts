/**
 * Webhook signatures of ARCAD360 (assumed contract, README): header
 * `ARCAD-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the secret
 * shared at subscription. Web Crypto only, so the receiver stays portable.
 */
export const SIGNATURE_HEADER = 'arcad-signature';
/** Older signatures are refused: a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();
const toHex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

const keys = new Map<string, Promise<CryptoKey>>();

async function hmac(secret: string, text: string): Promise<string> {
  // One imported key per secret: importing costs more than signing.
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    keys.set(secret, key);
  }
  return toHex(await crypto.subtle.sign('HMAC', await key, encoder.encode(text)));
}

export async function signWebhook(secret: string, body: string, nowSeconds = Math.floor(Date.now() / 1000)) {
  return `t=${nowSeconds},v1=${await hmac(secret, `${nowSeconds}.${body}`)}`;
}

/** Equal-time comparison: how many leading characters match must not leak through timing. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Why a webhook's signature is refused, or null when it is ARCAD360's and fresh. */
export async function signatureProblem(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<string | null> {
  if (!header) return `missing ${SIGNATURE_HEADER} header`;
  const parts = Object.fromEntries(
    header.split(',').map((p) => {
      const [k, ...v] = p.trim().split('=');
      return [k, v.join('=')];
    }),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1)
    return `malformed ${SIGNATURE_HEADER} header (expected t=...,v1=...)`;
  if (Math.abs(nowSeconds - t) > SIGNATURE_TOLERANCE_SECONDS)
    return `signature timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s away from now`;
  return sameText(await hmac(secret, `${t}.${body}`), parts.v1) ? null : 'signature does not match the body';
}
