import { recordingLogger } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from './helpers.ts';

// The demo and production import on a schedule every few seconds: the log must stay quiet until
// something happens, and say it when it does.
describe('import log', () => {
  const { logger, lines } = recordingLogger();
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ logger });
  });
  afterAll(() => gw.stop());

  const infoLinesAbout = (account: string) =>
    lines.filter((l) => l.level >= 30 && l.msg === 'import finished' && l.source === `account:${account}`);

  it('writes an info line for an import that brought visits, none for one that found nothing', async () => {
    const { id } = await gw.vetAccount(3);
    expect((await gw.importNow(id)).body).toMatchObject({ status: 'ok', visitsNew: 3 });
    expect(infoLinesAbout(id)).toHaveLength(1);

    expect((await gw.importNow(id)).body).toMatchObject({ status: 'ok', visitsSeen: 0 });
    expect(infoLinesAbout(id)).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 'import finished' && l.source === `account:${id}`)).toHaveLength(2);
  });
});
