import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretDecryptError } from './secrets.ts';

const key = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

describe('credentials encrypted at rest', () => {
  it('stores something other than the plaintext and reads it back with the same key', async () => {
    const box = await createSecretBox(key());
    const sealed = await box.seal('mot-de-passe-123', 'account:a1');
    expect(sealed).not.toContain('mot-de-passe-123');
    expect(sealed).toMatch(/^v1\./);
    expect(await box.open(sealed, 'account:a1')).toBe('mot-de-passe-123');
  });

  it('fails clearly with a wrong key', async () => {
    const sealed = await (await createSecretBox(key())).seal('x', 'account:a1');
    const other = await createSecretBox(key());
    await expect(other.open(sealed, 'account:a1')).rejects.toThrow(SecretDecryptError);
    await expect(other.open(sealed, 'account:a1')).rejects.toThrow(/VET_SECRETS_KEY is not the key/);
  });

  it('refuses a secret moved onto another record', async () => {
    const box = await createSecretBox(key());
    const sealed = await box.seal('x', 'account:a1');
    await expect(box.open(sealed, 'account:a2')).rejects.toThrow(SecretDecryptError);
  });

  it('refuses a key that is not 32 bytes', async () => {
    await expect(createSecretBox(btoa('short'))).rejects.toThrow(/32 bytes/);
  });
});
