const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Stored credentials that cannot be read back: wrong key, or a value that was tampered with. */
export class SecretDecryptError extends Error {
  override name = 'SecretDecryptError';
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * AES-256-GCM for credentials at rest (Web Crypto, so it runs under Deno as well). The record
 * id is bound as additional data: a secret copied onto another account does not decrypt.
 * Stored form: `v1.<iv base64>.<ciphertext base64>`.
 */
export interface SecretBox {
  seal(plaintext: string, recordId: string): Promise<string>;
  open(sealed: string, recordId: string): Promise<string>;
}

/** Reads a base64 32-byte key; throws with a message naming what is wrong. */
export async function createSecretBox(base64Key: string): Promise<SecretBox> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = fromBase64(base64Key);
  } catch {
    throw new Error('secrets key must be base64');
  }
  if (raw.length !== 32)
    throw new Error(`secrets key must be 32 bytes (base64 of 32 random bytes), got ${raw.length}`);
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return {
    async seal(plaintext, recordId) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(recordId) },
        key,
        encoder.encode(plaintext),
      );
      return `v1.${toBase64(iv)}.${toBase64(new Uint8Array(data))}`;
    },
    async open(sealed, recordId) {
      const [version, iv, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !data)
        throw new SecretDecryptError(`stored secret of ${recordId} is not in the v1 format`);
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: fromBase64(iv), additionalData: encoder.encode(recordId) },
          key,
          fromBase64(data),
        );
        return decoder.decode(plain);
      } catch (error) {
        throw new SecretDecryptError(
          `stored secret of ${recordId} cannot be decrypted: VET_SECRETS_KEY is not the key it was sealed with, or the value was altered`,
          { cause: error },
        );
      }
    },
  };
}
