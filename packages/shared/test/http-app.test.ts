import { describe, expect, it } from 'vitest';
import {
  AppError,
  createMemoryBus,
  createRoute,
  createServiceApp,
  currentCorrelationId,
  silentLogger,
  z,
} from '../src/index.ts';

const Body = z.object({ name: z.string().min(1), patient: z.object({ birthDate: z.iso.date() }) });

function app(readiness = {}) {
  const a = createServiceApp({ name: 'probe', logger: silentLogger, readiness });
  a.openapi(
    createRoute({
      method: 'post',
      path: '/things',
      summary: 'Create a thing',
      request: { body: { content: { 'application/json': { schema: Body } } } },
      responses: {
        201: {
          description: 'created',
          content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } },
        },
      },
    }),
    (c) => c.json({ ok: true }, 201),
  );
  a.get('/boom', () => {
    throw new Error('connection string postgres://secret@db');
  });
  a.get('/forbidden', () => {
    throw new AppError('FORBIDDEN', 'origin "x" is not a configured LRM');
  });
  a.get('/correlation', (c) => c.json({ id: currentCorrelationId() }));
  return a;
}

describe('service app factory', () => {
  it('answers a validation failure with a 400 problem listing every bad field path', async () => {
    const res = await app().request('/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '', patient: { birthDate: '31/12/1950' } }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.requestId).toBeTruthy();
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/name', '/patient/birthDate']);
  });

  it('answers malformed JSON with a 400 problem, not a 500', async () => {
    const res = await app().request('/things', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).type).toMatch(/^\/problems\//);
  });

  it('answers an unknown route with a 404 JSON problem', async () => {
    const res = await app().request('/nowhere');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('answers an unexpected error with a 500 that reveals no internals', async () => {
    const res = await app().request('/boom');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('postgres://');
    expect(JSON.parse(text)).toMatchObject({ code: 'INTERNAL' });
  });

  it('answers our own errors with their code and status', async () => {
    const res = await app().request('/forbidden');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      code: 'FORBIDDEN',
      detail: 'origin "x" is not a configured LRM',
    });
  });

  it('serves healthz, and readyz that fails with the name of the failing dependency', async () => {
    const a = app({
      database: async () => undefined,
      bus: async () => Promise.reject(new Error('NATS unreachable')),
    });
    expect((await a.request('/healthz')).status).toBe(200);
    const ready = await a.request('/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      checks: { database: { ok: true }, bus: { ok: false, error: 'NATS unreachable' } },
    });
  });

  it('tells idle from ready in readyz, with the reason the service does no work', async () => {
    let reason: string | undefined = 'no Hub connection configured';
    const a = createServiceApp({ name: 'probe', logger: silentLogger, idleReason: () => reason });
    const idle = await a.request('/readyz');
    expect(idle.status).toBe(200);
    expect(await idle.json()).toMatchObject({ status: 'idle', reason: 'no Hub connection configured' });
    reason = undefined;
    expect(await (await a.request('/readyz')).json()).toMatchObject({ status: 'ready' });
  });

  it('counts requests by route in Prometheus text', async () => {
    const a = app();
    await a.request('/nowhere');
    await a.request('/healthz');
    const text = await (await a.request('/metrics')).text();
    expect(text).toMatch(/http_requests_total\{[^}]*route="\/healthz"[^}]*status="200"[^}]*\} 1/);
    expect(text).toContain('http_request_duration_seconds_bucket');
  });

  it('documents its zod routes in /openapi.json, with a reference page', async () => {
    const a = app();
    const doc = await (await a.request('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/things'].post.requestBody.content['application/json'].schema.required).toContain(
      'patient',
    );
    const page = await (await a.request('/reference')).text();
    expect(page).toContain('/things');
  });

  it('keeps the caller correlation id, or the request id, through the request', async () => {
    const a = app();
    const given = await a.request('/correlation', { headers: { 'x-correlation-id': 'lrm-123' } });
    expect(given.headers.get('x-correlation-id')).toBe('lrm-123');
    expect(await given.json()).toEqual({ id: 'lrm-123' });
    const made = await a.request('/correlation');
    expect((await made.json()).id).toBe(made.headers.get('x-request-id'));
  });

  it('puts the request correlation id on bus messages published while handling it', async () => {
    const bus = createMemoryBus();
    const a = createServiceApp({ name: 'probe', logger: silentLogger });
    a.post('/emit', async (c) => {
      await bus.publish('probe.emitted', {});
      return c.body(null, 204);
    });
    let header: string | undefined;
    await bus.subscribe({
      subject: 'probe.>',
      durable: 'probe',
      handler: async (m) => void (header = m.headers['Correlation-Id']),
    });
    await a.request('/emit', { method: 'POST', headers: { 'x-correlation-id': 'from-http' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(header).toBe('from-http');
    await bus.close();
  });
});
