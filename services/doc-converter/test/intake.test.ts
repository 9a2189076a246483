import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DossierReceived, TCS_SUBJECTS } from '@hip/shared/schemas';
import { startServiceForTest, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePatientXml } from '../sim/patient-xml.ts';
import { DOSSIER_IMAGES_BUCKET } from '../src/adapters/intake-folder.ts';
import { docConverter } from '../src/service.ts';
import { type Workspace, workspace } from './fixtures.ts';

describe('patient XML intake folder', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  const received: DossierReceived[] = [];
  beforeAll(async () => {
    ws = await workspace();
    await mkdir(ws.intakeDir, { recursive: true });
    svc = await startServiceForTest(docConverter, {
      env: {
        ...ws.env,
        INTAKE_DIR: ws.intakeDir,
        INTAKE_POLL_MS: '100',
        INTAKE_SETTLE_MS: '0',
        INTAKE_MAX_BYTES: '20000',
      },
    });
    await svc.bus.subscribe({
      subject: TCS_SUBJECTS.dossierReceived,
      durable: `intake-test-${Date.now()}`,
      handler: async (m) => {
        received.push(m.json<DossierReceived>());
      },
    });
  });
  afterAll(async () => {
    await svc.stop();
    await ws.remove();
  });

  // Written under a hidden name then renamed, as the export job must: the folder is polled.
  const drop = async (name: string, content: string) => {
    await writeFile(join(ws.intakeDir, `.${name}.part`), content);
    await rename(join(ws.intakeDir, `.${name}.part`), join(ws.intakeDir, name));
  };
  const reasonOf = (name: string) =>
    waitFor(() => readFile(join(ws.intakeDir, 'errors', `${name}.reason.txt`), 'utf8'), {
      what: `${name} refused`,
    });

  it('publishes a parsed record on tcs.dossiers.received, with images in the object store, and moves the file to processed/', async () => {
    const image = Buffer.from('jpeg-bytes-od');
    await drop(
      'dossier-ok.xml',
      samplePatientXml({ patientId: 'P-OK', images: [{ name: 'OD.jpg', base64: image.toString('base64') }] }),
    );
    const event = await waitFor(() => received.find((r) => r.patient.id === 'P-OK'));
    expect(event).toMatchObject({ fileName: 'dossier-ok.xml', centre: { id: '12' }, repairs: [] });
    expect(event.images[0]?.object).toEqual({
      bucket: DOSSIER_IMAGES_BUCKET,
      name: `${event.fileSha256}/OD.jpg`,
    });
    const stored = await (await svc.bus.objects(DOSSIER_IMAGES_BUCKET)).get(
      event.images[0]?.object.name ?? '',
    );
    expect(Buffer.from(stored ?? []).toString()).toBe('jpeg-bytes-od');
    await waitFor(async () => (await readdir(join(ws.intakeDir, 'processed'))).includes('dossier-ok.xml'));
    expect(await readdir(ws.intakeDir)).not.toContain('dossier-ok.xml');
  });

  it('repairs an unescaped & in the conclusion and reports where it was', async () => {
    await drop('dossier-amp.xml', samplePatientXml({ patientId: 'P-AMP', conclusion: 'OD & OG normaux' }));
    const event = await waitFor(() => received.find((r) => r.patient.id === 'P-AMP'));
    expect(event.consultation.conclusion).toBe('OD & OG normaux');
    expect(event.repairs).toEqual([{ line: 14, column: 20, what: 'bare "&" escaped as "&amp;"' }]);
    const { files } = (await (await svc.request('/intake/files')).json()) as {
      files: { fileName: string; status: string; repairs: unknown[] }[];
    };
    expect(files.find((f) => f.fileName === 'dossier-amp.xml')).toMatchObject({
      status: 'received',
      repairs: event.repairs,
    });
  });

  it('renames two images with the same name instead of refusing the file', async () => {
    const b64 = Buffer.from('x').toString('base64');
    await drop(
      'dossier-dup.xml',
      samplePatientXml({
        patientId: 'P-DUP',
        images: [
          { name: 'fond.jpg', base64: b64 },
          { name: 'fond.jpg', base64: b64 },
        ],
      }),
    );
    const event = await waitFor(() => received.find((r) => r.patient.id === 'P-DUP'));
    expect(event.images.map((i) => [i.originalName, i.name])).toEqual([
      ['fond.jpg', 'fond.jpg'],
      ['fond.jpg', 'fond-2.jpg'],
    ]);
  });

  it('moves a file with a DTD to errors/ with a reason file, and lists it on the admin page', async () => {
    await drop(
      'dossier-xxe.xml',
      '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<dossierTCS>&e;</dossierTCS>',
    );
    expect(await reasonOf('dossier-xxe.xml')).toContain('DTD and entity declarations are refused');
    expect(await readdir(join(ws.intakeDir, 'errors'))).toContain('dossier-xxe.xml');
    // The reason file is written just before the database row: wait for the row too.
    const page = await waitFor(async () => {
      const html = await (await svc.request('/admin/intake')).text();
      return html.includes('dossier-xxe.xml') ? html : undefined;
    });
    expect(page).toContain('2:1');
  });

  it('refuses an oversize file without parsing it', async () => {
    await drop('dossier-big.xml', samplePatientXml({ conclusion: 'x'.repeat(30_000) }));
    expect(await reasonOf('dossier-big.xml')).toContain('more than INTAKE_MAX_BYTES (20000)');
  });

  it('refuses malformed XML with its line and column', async () => {
    await drop('dossier-bad.xml', samplePatientXml().replace('</prenom>', '</prenoms>'));
    expect(await reasonOf('dossier-bad.xml')).toMatch(/malformed XML: .* \(line 8, column \d+\)/);
    const { files } = (await (await svc.request('/intake/files?status=failed')).json()) as {
      files: { fileName: string; line: number | null }[];
    };
    expect(files.find((f) => f.fileName === 'dossier-bad.xml')?.line).toBe(8);
  });

  it('moves XML nested too deep for the parser to errors/ with a reason, instead of retrying it every poll', async () => {
    const depth = 1_000; // 7 kB: under INTAKE_MAX_BYTES, far over the parser's nesting limit
    await drop('dossier-deep.xml', `<dossierTCS>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</dossierTCS>`);
    expect(await reasonOf('dossier-deep.xml')).toContain('unreadable XML: Maximum nested tags exceeded');
    expect(await readdir(ws.intakeDir)).not.toContain('dossier-deep.xml');
  });
});
