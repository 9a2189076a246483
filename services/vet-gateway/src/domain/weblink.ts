const encoder = new TextEncoder();

/**
 * The direct web authentication link opening the management of a linked Vétélevage account
 * (assumed contract, README): the editor signs `editor:account:timestamp` with its secret
 * (HMAC-SHA256, hex); Vétélevage accepts the link for a few minutes. Only ids go in the URL.
 */
export async function buildDirectWebLink(options: {
  webUrl: string;
  editor: string;
  editorSecret: string;
  account: string;
  now: Date;
}): Promise<string> {
  const timestamp = Math.floor(options.now.getTime() / 1000).toString();
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(options.editorSecret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign(
    'HMAC',
    key,
    encoder.encode(`${options.editor}:${options.account}:${timestamp}`),
  );
  const signature = Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('');
  const url = new URL(
    'connexion-directe',
    options.webUrl.endsWith('/') ? options.webUrl : `${options.webUrl}/`,
  );
  url.searchParams.set('editeur', options.editor);
  url.searchParams.set('compte', options.account);
  url.searchParams.set('horodatage', timestamp);
  url.searchParams.set('signature', signature);
  return url.toString();
}

/** The check Vétélevage does on such a link (used by the simulator). */
export async function verifyDirectWebLink(
  link: string,
  secretOf: (editor: string) => string | undefined,
  now: Date,
  maxAgeS = 300,
): Promise<{ ok: true; account: string } | { ok: false; reason: string }> {
  const url = new URL(link);
  const editor = url.searchParams.get('editeur') ?? '';
  const account = url.searchParams.get('compte') ?? '';
  const timestamp = url.searchParams.get('horodatage') ?? '';
  const secret = secretOf(editor);
  if (!secret) return { ok: false, reason: 'unknown editor' };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > maxAgeS)
    return { ok: false, reason: 'link expired' };
  const expected = await buildDirectWebLink({
    webUrl: url.origin,
    editor,
    editorSecret: secret,
    account,
    now: new Date(Number(timestamp) * 1000),
  });
  return new URL(expected).searchParams.get('signature') === url.searchParams.get('signature')
    ? { ok: true, account }
    : { ok: false, reason: 'bad signature' };
}
