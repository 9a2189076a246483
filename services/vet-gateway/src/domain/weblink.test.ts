import { describe, expect, it } from 'vitest';
import { buildDirectWebLink, verifyDirectWebLink } from './weblink.ts';

describe('direct web authentication link', () => {
  const now = new Date('2026-11-23T10:00:00Z');
  it('carries editor, account, timestamp and an HMAC signature Vétélevage can verify', async () => {
    const link = await buildDirectWebLink({
      webUrl: 'https://web.vetelevage.test',
      editor: 'ed1',
      editorSecret: 's3cret',
      account: 'acc1',
      now,
    });
    const url = new URL(link);
    expect(url.pathname).toBe('/connexion-directe');
    expect(url.searchParams.get('compte')).toBe('acc1');
    expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(link).not.toContain('s3cret');
    expect(await verifyDirectWebLink(link, () => 's3cret', now)).toEqual({ ok: true, account: 'acc1' });
  });

  it('is refused with another secret or once expired', async () => {
    const link = await buildDirectWebLink({
      webUrl: 'https://web.vetelevage.test',
      editor: 'ed1',
      editorSecret: 's3cret',
      account: 'acc1',
      now,
    });
    expect(await verifyDirectWebLink(link, () => 'other', now)).toEqual({
      ok: false,
      reason: 'bad signature',
    });
    expect(await verifyDirectWebLink(link, () => 's3cret', new Date(now.getTime() + 600_000))).toEqual({
      ok: false,
      reason: 'link expired',
    });
  });
});
