import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServiceForTest, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docConverter } from '../src/service.ts';
import type { DocumentView } from '../src/service-api.ts';
import { cpv2Document, jsonPost, type Workspace, workspace } from './fixtures.ts';

describe('documents submitted over HTTP while the share is down', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    ws = await workspace();
    // The share is "unmounted": a file stands where the export folder should be.
    await writeFile(ws.exportRoot, 'x');
    svc = await startServiceForTest(docConverter, { env: { ...ws.env, SWEEP_EVERY_MS: '300' } });
  });
  afterAll(async () => {
    await svc.stop();
    await ws.remove();
  });

  it('stay queued with the error, then the sweeper converts them once the share is back', async () => {
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    const doc = cpv2Document();
    expect((await svc.request('/documents', jsonPost(doc))).status).toBe(202);
    const stuck = await waitFor(async () => {
      const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
      return d.error?.startsWith('will retry') ? d : undefined;
    });
    expect(stuck.status).toBe('queued');
    await rm(ws.exportRoot);
    const done = await waitFor(
      async () => {
        const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
        return d.status === 'converted' ? d : undefined;
      },
      { timeoutMs: 20_000, what: 'converted by the sweeper' },
    );
    expect(done.outputPath).toContain(doc.id);
    expect(await ws.files()).toContain(join('export', done.outputPath ?? ''));
  });
});

describe('documents submitted over HTTP while the share stays down', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    ws = await workspace();
    await writeFile(ws.exportRoot, 'x');
    svc = await startServiceForTest(docConverter, {
      env: { ...ws.env, SWEEP_EVERY_MS: '300', CONSUMER_MAX_DELIVER: '2' },
    });
  });
  afterAll(async () => {
    await svc.stop();
    await ws.remove();
  });

  it('fail after CONSUMER_MAX_DELIVER attempts with the last error, and show on /errors', async () => {
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    const doc = cpv2Document();
    expect((await svc.request('/documents', jsonPost(doc))).status).toBe(202);
    const failed = await waitFor(
      async () => {
        const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
        return d.status === 'failed' ? d : undefined;
      },
      { timeoutMs: 20_000, what: 'failed by the sweeper' },
    );
    expect(failed.error).toMatch(/^gave up after 2 attempts: /);
    expect(failed.error).not.toContain('will retry');
    const errors = (await (await svc.request('/errors')).json()) as {
      doctors: { doctorId: string; failed: number }[];
    };
    expect(errors.doctors).toContainEqual(expect.objectContaining({ doctorId: '42', failed: 1 }));
  });
});
