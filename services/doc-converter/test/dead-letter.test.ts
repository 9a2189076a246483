import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bus } from '@hip/shared';
import { TCS_SUBJECTS } from '@hip/shared/schemas';
import { startServiceForTest, testBus, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docConverter } from '../src/service.ts';
import type { DocumentView } from '../src/service-api.ts';
import { cpv2Document, type Workspace, workspace } from './fixtures.ts';

describe('transient failures on the share', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  let brokenShare: string;
  beforeAll(async () => {
    ws = await workspace();
    // A file where the share should be: every write fails like an unmounted NFS export.
    brokenShare = join(ws.dir, 'not-a-folder');
    await writeFile(brokenShare, 'x');
    svc = await startServiceForTest(docConverter, {
      env: { ...ws.env, EXPORT_ROOT: brokenShare, CONSUMER_MAX_DELIVER: '2', CONSUMER_BACKOFF_MS: '20' },
    });
  });
  afterAll(async () => {
    await svc.stop();
    await ws.remove();
  });

  it('retries with backoff, then the dead letter marks the document failed with the error, retryable', async () => {
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    const doc = cpv2Document();
    await svc.bus.publish(TCS_SUBJECTS.documentGenerated, doc, { msgId: doc.id });
    const failed = await waitFor(
      async () => {
        const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
        return d.status === 'failed' ? d : undefined;
      },
      { timeoutMs: 30_000, what: 'dead-lettered document failed' },
    );
    expect(failed.error).toMatch(/^dead letter after 2 deliveries: .*(ENOTDIR|EEXIST)/);
    expect(failed.attempts).toBeGreaterThanOrEqual(2);
    const errors = (await (await svc.request('/errors')).json()) as {
      doctors: { doctorId: string; failed: number }[];
    };
    expect(errors.doctors).toContainEqual(expect.objectContaining({ doctorId: '42', failed: 1 }));
    expect((await svc.request(`/documents/${doc.id}/retry`, { method: 'POST' })).status).toBe(202);
    // Retried while the share is still broken: queued again, waiting for the sweeper.
    const requeued = await waitFor(async () => {
      const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
      return d.status === 'queued' && d.error?.startsWith('will retry') ? d : undefined;
    });
    expect(requeued.error).toMatch(/ENOTDIR|EEXIST/);
  });
});

describe('a document whose intake failed while the object store was away', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  let bus: Bus;
  let storeDown = true;
  let puts = 0;
  beforeAll(async () => {
    ws = await workspace();
    const real = await testBus();
    // Our bus, whose object store refuses writes until the test says otherwise.
    bus = Object.assign(Object.create(real), {
      objects: async (bucket: string) => {
        const objects = await real.objects(bucket);
        return Object.assign(Object.create(objects), {
          put: (name: string, data: Uint8Array) => {
            puts += 1;
            return storeDown
              ? Promise.reject(new Error('object store unavailable'))
              : objects.put(name, data);
          },
        });
      },
    });
    svc = await startServiceForTest(docConverter, {
      bus,
      env: { ...ws.env, CONSUMER_MAX_DELIVER: '2', CONSUMER_BACKOFF_MS: '20' },
    });
    (svc as { closeBus?: () => Promise<void> }).closeBus = () => real.close();
  });
  afterAll(async () => {
    await svc.stop();
    await (svc as { closeBus?: () => Promise<void> }).closeBus?.();
    await ws.remove();
  });

  it('keeps trying the dead letter, then records the document failed with its content, and a retry converts it', async () => {
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    const doc = cpv2Document();
    await bus.publish(TCS_SUBJECTS.documentGenerated, doc, { msgId: doc.id });
    // Two deliveries, then the dead letter tried several times while the store is still away.
    await waitFor(() => puts >= 5, {
      timeoutMs: 30_000,
      what: 'dead letter retried while the store is away',
    });
    expect((await svc.request(`/documents/${doc.id}`)).status).toBe(404);
    const errors = (await (await svc.request('/errors')).json()) as {
      rejectedMessages: { msgId: string | null }[];
    };
    expect(errors.rejectedMessages.filter((r) => r.msgId === doc.id)).toEqual([]);
    storeDown = false;
    const failed = await waitFor(
      async () => {
        const res = await svc.request(`/documents/${doc.id}`);
        if (res.status !== 200) return undefined;
        const d = (await res.json()) as DocumentView;
        return d.status === 'failed' ? d : undefined;
      },
      { timeoutMs: 30_000, what: 'dead-lettered document recorded as failed' },
    );
    expect(failed.error).toMatch(/^dead letter after 2 deliveries: .*object store unavailable/);
    expect((await svc.request(`/documents/${doc.id}/retry`, { method: 'POST' })).status).toBe(202);
    await waitFor(
      async () => {
        const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
        return d.status === 'converted' ? d : undefined;
      },
      { timeoutMs: 30_000, what: 'retried document converted' },
    );
  });
});
