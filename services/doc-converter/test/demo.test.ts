import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@hip/shared';
import { startServiceForTest, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docConverter } from '../src/service.ts';
import type { DocumentView } from '../src/service-api.ts';

describe('single-process demo (pnpm start)', () => {
  let dataDir: string;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'doc-demo-'));
    const sims = await docConverter.simulators?.({ logger: silentLogger, env: { DATA_DIR: dataDir }, portBase: 9100 });
    svc = await startServiceForTest(docConverter, {
      env: { ...sims?.env, INTAKE_POLL_MS: '200', INTAKE_SETTLE_MS: '0' },
    });
  });
  afterAll(async () => {
    await svc.stop();
    await rm(dataDir, { recursive: true, force: true });
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
