import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServiceForTest, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileRef } from '../src/adapters/folder-browser.ts';
import { docConverter } from '../src/service.ts';
import type { DocumentView } from '../src/service-api.ts';
import { cpv2Document, jsonPost, type Workspace, workspace } from './fixtures.ts';

describe('the export share and the refused intake files, served by the admin pages', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  let converted: DocumentView;
  beforeAll(async () => {
    ws = await workspace();
    await mkdir(join(ws.intakeDir, 'errors'), { recursive: true });
    await writeFile(join(ws.intakeDir, 'errors', 'tcs_12_bad.xml'), '<dossierTCS>');
    await writeFile(join(ws.intakeDir, 'errors', 'tcs_12_bad.xml.reason.txt'), 'malformed XML at 1:13\n');
    await writeFile(join(ws.dir, 'outside.pdf'), '%PDF-1.7 not on the share');
    svc = await startServiceForTest(docConverter, {
      env: { ...ws.env, INTAKE_DIR: ws.intakeDir, INTAKE_POLL_MS: '600000' },
    });
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    const doc = cpv2Document();
    await svc.request('/documents', jsonPost(doc));
    converted = await waitFor(async () => {
      const d = (await (await svc.request(`/documents/${doc.id}`)).json()) as DocumentView;
      return d.status === 'converted' ? d : undefined;
    });
    await symlink(ws.dir, join(ws.exportRoot, 'escape'));
  });
  afterAll(async () => {
    await svc.stop();
    await ws.remove();
  });

  it("opens a converted document's PDF from the admin page, as application/pdf, by document id", async () => {
    const page = await (await svc.request('/admin')).text();
    expect(page).toContain(`href="/admin/documents/${converted.id}/pdf"`);
    const pdf = await svc.request(`/admin/documents/${converted.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(new TextDecoder().decode((await pdf.arrayBuffer()).slice(0, 5))).toBe('%PDF-');
    const none = await svc.request('/admin/documents/UNKNOWN-1/pdf');
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('No document UNKNOWN-1.');
  });

  it('lists the share by login folder and opens a PDF without the patient name in its URL', async () => {
    const root = await (await svc.request('/admin/share/')).text();
    expect(root).toMatch(/^<!doctype html>/);
    expect(root).toContain('href="/admin/share/mlefevre/"');
    const folder = await (await svc.request('/admin/share/mlefevre/')).text();
    const name = converted.outputPath?.split('/')[1] ?? '';
    expect(folder).toContain(name);
    const href = `/admin/share/mlefevre/?file=${fileRef(name)}`;
    expect(folder).toContain(`href="${href}"`);
    expect(href).not.toContain('DUPRE');
    const pdf = await svc.request(href);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it.each([
    ['/admin/share/..%2f..%2f', 'an encoded slash'],
    ['/admin/share/..%5coutside.pdf', 'an encoded backslash'],
    ['/admin/share/%2e%2e%2foutside.pdf', 'encoded dots and slash'],
    ['/admin/share/escape/', 'a symbolic link out of the share'],
    [`/admin/share/escape/?file=${fileRef('outside.pdf')}`, 'a file behind a symbolic link'],
  ])('refuses %s (%s) with a page saying why', async (path) => {
    const res = await svc.request(path);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Path refused:');
  });

  it('cannot climb with plain dots either: the URL is normalised to a page inside the service', async () => {
    const res = await svc.request('/admin/share/../../outside.pdf');
    expect(res.headers.get('content-type')).not.toBe('application/pdf');
  });

  it('answers 404 with a page for a folder or file that does not exist', async () => {
    expect((await svc.request('/admin/share/nobody/')).status).toBe(404);
    const file = await svc.request('/admin/share/mlefevre/?file=0123abcd');
    expect(file.status).toBe(404);
    expect(await file.text()).toContain('No such file in this folder');
  });

  it('shows the refused intake files and their reason as plain text, linked from the intake page', async () => {
    expect(await (await svc.request('/admin/intake')).text()).toContain('href="/admin/intake/errors/"');
    const listing = await (await svc.request('/admin/intake/errors/')).text();
    expect(listing).toContain('tcs_12_bad.xml.reason.txt');
    const reason = await svc.request(`/admin/intake/errors/?file=${fileRef('tcs_12_bad.xml.reason.txt')}`);
    expect(reason.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await reason.text()).toBe('malformed XML at 1:13\n');
    const xml = await svc.request(`/admin/intake/errors/?file=${fileRef('tcs_12_bad.xml')}`);
    expect(xml.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });
});
