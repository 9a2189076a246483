import { baseConfigSchema, loadConfig } from '@hip/shared';
import { freshDatabase, testBus } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, sasRedirect } from '../src/service.ts';

describe('patient data never reaches our logs', () => {
  const lines: string[] = [];
  let app: { fetch: (r: Request) => Response | Promise<Response> };
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    // Records every argument given to the logger, whatever the level.
    const record =
      () =>
      (...args: unknown[]) => {
        lines.push(JSON.stringify(args));
      };
    const logger: Record<string, unknown> = {};
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace']) logger[level] = record();
    logger.child = () => logger;
    logger.level = 'trace';
    const bus = await testBus();
    const database = await freshDatabase();
    const config = loadConfig(baseConfigSchema.extend(configSchema.shape), {
      LOG_LEVEL: 'trace',
      LRM_ORIGINS: 'samu44-lrm',
      SAS_BASE_URL: 'https://sas.example.test',
      // Booking data goes through the token mode, which the SAS redeems with this key.
      SAS_CONTEXT_API_KEY: 'sas-context-api-key-0123456789',
    });
    const instance = await sasRedirect.create({
      config: config as never,
      logger: logger as never,
      bus,
      database,
    });
    app = instance.app;
    cleanup = async () => {
      await instance.stop();
      await bus.close();
      await (database as { drop?(): Promise<void> }).drop?.();
    };
  });
  afterAll(() => cleanup?.());

  it('logs the route, status and ids of redirects and refusals, never the address, names or RPPS', async () => {
    const call = (path: string, init?: RequestInit) =>
      app.fetch(new Request(`http://service.test${path}`, init));
    const ok = await call(
      '/search?origin=samu44-lrm&streetnumber=7&streetname=Impasse%20Secrete&city=Villepatient&practitioner=10005681340',
    );
    expect(ok.status).toBe(302);
    const refused = await call(
      '/search?origin=samu44-lrm&streetnumber=7&city=Villepatient&practitioner=10005681349',
    );
    expect(refused.status).toBe(422);
    const booking = await call('/contexts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        origin: 'samu44-lrm',
        city: 'Villepatient',
        booking: { patient: { lastName: 'Patientnom', firstName: 'Prenompatient' } },
      }),
    });
    expect(booking.status).toBe(201);
    const log = lines.join('');
    expect(log).toContain('"route":"/search"');
    for (const secret of [
      'Secrete',
      'Villepatient',
      '10005681340',
      '10005681349',
      'Patientnom',
      'Prenompatient',
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
