import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { redirectWithFlash, takeFlash } from './flash.ts';

const app = new Hono()
  .post('/act', (c) => redirectWithFlash(c, '/page', { tone: 'ok', text: 'Imported 3 visits for Élise' }))
  .get('/page', (c) => c.json(takeFlash(c) ?? null));

describe('flash messages', () => {
  it('carries the message of an action to the next page once, outside the URL', async () => {
    const posted = await app.request('/act', { method: 'POST' });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe('/page');
    const cookie = posted.headers.get('set-cookie')?.split(';')[0] ?? '';
    const shown = await app.request('/page', { headers: { cookie } });
    expect(await shown.json()).toEqual({ tone: 'ok', text: 'Imported 3 visits for Élise' });
    expect(shown.headers.get('set-cookie')).toMatch(/^flash=;.*Max-Age=0/);
  });

  it('ignores a cookie it did not write', async () => {
    const shown = await app.request('/page', { headers: { cookie: 'flash=%7B%22tone%22%3A%22evil%22%7D' } });
    expect(await shown.json()).toBeNull();
  });
});
