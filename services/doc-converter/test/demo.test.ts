import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@hip/shared';
import { TCS_SUBJECTS } from '@hip/shared/schemas';
import { startServiceForTest, testBus, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docConverter } from '../src/service.ts';
import type { DocumentView } from '../src/service-api.ts';

describe('single-process demo (pnpm start)', () => {
  let dataDir: string;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  let svcEnv: Record<string, string> = {};
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'doc-demo-'));
    const sims = await docConverter.simulators?.({
      logger: silentLogger,
      env: { DATA_DIR: dataDir },
      portBase: 9100,
    });
    svcEnv = { ...sims?.env };
    svc = await startServiceForTest(docConverter, {
      env: { ...sims?.env, INTAKE_POLL_MS: '200', INTAKE_SETTLE_MS: '0' },
    });
  });
  afterAll(async () => {
    await svc.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('links the share and the refused intake files as pages of the service, not file:// folders', async () => {
    // The running service's folders, chosen by the user: nothing new is written to them.
    const sims = await docConverter.simulators?.({
      logger: silentLogger,
      env: { DATA_DIR: dataDir, DOC_CONVERTER_PORT: '25005', ...svcEnv },
      portBase: 9100,
    });
    expect(sims?.links.map((l) => l.url)).toEqual([
      'http://localhost:25005/admin/share/',
      'http://localhost:25005/admin/intake/errors/',
    ]);
    for (const link of sims?.links ?? []) {
      const path = new URL(link.url).pathname;
      expect((await svc.request(path)).status, path).toBe(200);
    }
  });

  it('shows the whole chain: sample documents converted or parked for the doctor without signature, XML exports taken in', async () => {
    const docs = await waitFor(
      async () => {
        const body = (await (await svc.request('/documents')).json()) as { documents: DocumentView[] };
        const settled = body.documents.filter((d) => d.status !== 'queued');
        return settled.length === 6 ? body.documents : undefined;
      },
      { timeoutMs: 60_000, what: 'six demo documents settled' },
    );
    const byDoctor = (id: string) => docs.filter((d) => d.doctorId === id).map((d) => d.status);
    expect(byDoctor('42')).toEqual(['converted', 'converted']);
    expect(byDoctor('57')).toEqual(['converted', 'converted']);
    expect(byDoctor('63')).toEqual(['missing-signature', 'missing-signature']);
    expect((await readdir(join(dataDir, 'doc-converter', 'export'))).sort()).toEqual([
      'mlefevre',
      'pgarnier',
    ]);
    const intake = await waitFor(async () => {
      const page = await (await svc.request('/admin/intake')).text();
      return page.includes('tcs_12_hostile.xml') ? page : undefined;
    });
    expect(intake).toContain('DTD and entity declarations are refused');
    await waitFor(
      async () => (await readdir(join(dataDir, 'doc-converter', 'intake', 'processed'))).length === 3,
    );
  });
});

describe('simulators and the variables the user set', () => {
  it("keep the user's EXPORT_ROOT, ASSETS_ROOT, INTAKE_DIR and DOC_CONVERTER_DEMO and write nothing to them", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'doc-user-'));
    try {
      const mine = {
        EXPORT_ROOT: join(dir, 'share'),
        ASSETS_ROOT: join(dir, 'assets'),
        INTAKE_DIR: join(dir, 'in'),
      };
      for (const folder of Object.values(mine)) await mkdir(folder);
      const sims = await docConverter.simulators?.({
        logger: silentLogger,
        env: { DATA_DIR: join(dir, 'data'), ...mine, DOC_CONVERTER_DEMO: 'false' },
        portBase: 9100,
      });
      expect(sims?.env).toEqual({});
      for (const folder of Object.values(mine)) expect(await readdir(folder), folder).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('point only the variables left unset at the demo folders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'doc-user-'));
    try {
      const sims = await docConverter.simulators?.({
        logger: silentLogger,
        env: { DATA_DIR: dir, EXPORT_ROOT: join(dir, 'my-share') },
        portBase: 9100,
      });
      expect(sims?.env).toEqual({
        ASSETS_ROOT: join(dir, 'doc-converter', 'assets'),
        INTAKE_DIR: join(dir, 'doc-converter', 'intake'),
        DOC_CONVERTER_DEMO: 'true',
      });
      expect((await readdir(join(dir, 'doc-converter', 'assets', 'signature'))).length).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('demo publication', () => {
  it('publishes the sample documents once the consumer is subscribed, before the service is up, with no timer', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'doc-demo-order-'));
    const bus = await testBus();
    const events: string[] = [];
    const recording: typeof bus = Object.assign(Object.create(bus), {
      subscribe: async (options: Parameters<typeof bus.subscribe>[0]) => {
        const sub = await bus.subscribe(options);
        events.push(`subscribed ${options.subject}`);
        return sub;
      },
      publish: (...args: Parameters<typeof bus.publish>) => {
        if (args[0] === TCS_SUBJECTS.documentGenerated) events.push('published sample');
        return bus.publish(...args);
      },
    });
    const svc = await startServiceForTest(docConverter, {
      bus: recording,
      env: { DATA_DIR: dir, DOC_CONVERTER_DEMO: 'true', SWEEP_EVERY_MS: '600000' },
    });
    try {
      const firstSample = events.indexOf('published sample');
      expect(
        events.filter((e) => e === 'published sample'),
        'samples published when start returns',
      ).toHaveLength(6);
      expect(events.indexOf(`subscribed ${TCS_SUBJECTS.documentGenerated}`)).toBeLessThan(firstSample);
    } finally {
      await svc.stop();
      await bus.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
