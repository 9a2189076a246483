import { silentLogger } from '@hip/shared';
import { freePort, recordingLogger, startServiceForTest } from '@hip/shared/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulators } from '../sim/index.ts';
import { sasRedirect } from '../src/service.ts';

// What `pnpm start` gives sas-redirect: a newcomer's start log warns only about what they must fix.
describe('sas-redirect on the demo simulators', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('starts without a warning: the simulators give it every key a deployment sets', async () => {
    const sims = await startSimulators({
      logger: silentLogger,
      servicePort: await freePort(),
      ports: { psc: 0, sas: 0, lrm: 0 },
    });
    stops.push(() => sims.stop());
    expect(sims.env.CONTEXT_TOKEN_SECRET?.length).toBeGreaterThanOrEqual(32);
    const { logger, lines } = recordingLogger();
    const svc = await startServiceForTest(sasRedirect, { env: sims.env, logger });
    stops.push(() => svc.stop());
    expect(lines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
  });
});
