import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson, UpstreamError, z } from '../src/index.ts';
import { listen, type RunningServer } from '../src/node/index.ts';

describe('requestJson against a real HTTP server', () => {
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    const app = new Hono()
      .get('/ok', (c) => c.json({ id: 7 }))
      .get('/bad', (c) => c.json({ id: 'seven' }))
      .get('/broken', (c) => c.text('{"id":', 200))
      .get('/down', (c) => c.text('maintenance', 503))
      .get('/slow', async (c) => {
        await new Promise((r) => setTimeout(r, 500));
        return c.json({});
      });
    server = await listen(app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  const Answer = z.object({ id: z.number() });

  it('returns the validated answer', async () => {
    expect(await requestJson('Partner', `${base}/ok`, { schema: Answer })).toEqual({ id: 7 });
  });

  it.each([
    ['/bad', 'malformed', /id: Invalid input: expected number/, false],
    ['/broken', 'malformed', /malformed JSON/, false],
    ['/down', 'status', /HTTP 503/, true],
  ])('names the failure of %s (%s)', async (path, kind, message, retryable) => {
    const error = await requestJson('Partner', `${base}${path}`, { schema: Answer }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).kind).toBe(kind);
    expect((error as UpstreamError).message).toMatch(message);
    expect((error as UpstreamError).retryable).toBe(retryable);
  });

  it('gives up after the timeout', async () => {
    const error = await requestJson('Partner', `${base}/slow`, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
  });
});
