import { listen } from '@hip/shared/node';
import { Hono } from 'hono';
import { expect, it } from 'vitest';
import { createLrmSimulatorApp } from './lrm.ts';

it('LRM simulator: a case sas-redirect refuses ends on the case screen with the reason', async () => {
  const service = new Hono();
  service.post('/contexts', (c) =>
    c.json({ detail: 'the token mode is disabled: SAS_CONTEXT_API_KEY is not configured' }, 503),
  );
  const server = await listen(service, 0, '127.0.0.1');
  try {
    const lrm = createLrmSimulatorApp({
      serviceUrl: `http://127.0.0.1:${server.port}`,
      origin: 'samu44-lrm',
    });
    const res = await lrm.request('/cases/C/book', { method: 'POST' });
    expect(res.status).toBe(303);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const page = await (await lrm.request(res.headers.get('location')!, { headers: { cookie } })).text();
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain(
      'sas-redirect a refusé le dossier C (HTTP 503) : the token mode is disabled: SAS_CONTEXT_API_KEY is not configured',
    );
  } finally {
    await server.close();
  }
});
