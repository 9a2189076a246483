import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listen, type RunningServer } from '@hip/shared/node';
import { launchBrowser, startServiceForTest, waitFor } from '@hip/shared/testing';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSignaturePng } from '../sim/sample-assets.ts';
import { docConverter } from '../src/service.ts';
import type { DocumentView } from '../src/service-api.ts';
import { cpv2Document, jsonPost, type Workspace, workspace } from './fixtures.ts';

describe('admin pages in headless Chromium', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  let server: RunningServer;
  let browser: Browser;
  beforeAll(async () => {
    ws = await workspace();
    svc = await startServiceForTest(docConverter, { env: ws.env });
    server = await listen(svc.app, 0);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await svc?.stop();
    await ws?.remove();
  });

  it('uploads a signature through the parked-documents form and the parked document becomes converted', async () => {
    await ws.addLetterhead('91');
    const doc = cpv2Document({ doctorId: '91', windowsLogin: 'crobert' });
    await svc.request('/documents', jsonPost(doc));
    await waitFor(async () => {
      const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
      return d.status === 'missing-signature';
    });
    const base = `http://127.0.0.1:${server.port}`;
    const page = await browser.newPage();
    await page.goto(`${base}/admin/errors`);
    const section = page.locator('section[data-doctor="91"]');
    await expect(section.locator('[data-status="missing-signature"]').count()).resolves.toBe(1);

    const png = join(ws.dir, 'signature-91.png');
    await writeFile(png, sampleSignaturePng(91));
    await section.locator('form[action$="/signature"] input[type=file]').setInputFiles(png);
    await Promise.all([
      page.waitForURL(/\/admin\/errors$/),
      section.getByRole('button', { name: 'Upload signature' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toContain(
      `Signature stored for doctor 91; 1 parked document released for conversion: ${doc.id}.`,
    );

    await waitFor(
      async () => {
        await page.goto(`${base}/admin`);
        return (
          (await page.locator(`tr[data-document="${doc.id}"] [data-status]`).getAttribute('data-status')) ===
          'converted'
        );
      },
      { timeoutMs: 20_000, intervalMs: 300, what: 'converted on the admin page' },
    );
    expect(await page.locator('[data-count="converted"]').textContent()).toContain('1');
    expect(await page.locator(`tr[data-document="${doc.id}"]`).textContent()).toContain(`crobert/`);
    await page.close();
  });
});
