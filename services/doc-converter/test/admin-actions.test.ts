import { startServiceForTest, waitFor } from '@hip/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleSignaturePng } from '../sim/sample-assets.ts';
import { MAX_ASSET_BYTES } from '../src/routes/assets/index.ts';
import { docConverter } from '../src/service.ts';
import type { DocumentView } from '../src/service-api.ts';
import { cpv2Document, jsonPost, type Workspace, workspace } from './fixtures.ts';

describe('admin page actions end on the page with a message; the API keeps its JSON answers', () => {
  let ws: Workspace;
  let svc: Awaited<ReturnType<typeof startServiceForTest>>;
  beforeAll(async () => {
    ws = await workspace();
    svc = await startServiceForTest(docConverter, { env: ws.env });
  });
  afterAll(async () => {
    await svc.stop();
    await ws.remove();
  });

  const status = async (id: string) => (await (await svc.request(`/documents/${id}`)).json()) as DocumentView;
  const settled = (id: string, expected: DocumentView['status']) =>
    waitFor(async () => ((await status(id)).status === expected ? true : undefined), {
      what: `${id} ${expected}`,
      timeoutMs: 15_000,
    });

  /** Posts a form as a browser does, then opens the page it is sent back to with its cookie. */
  const act = async (path: string, form: FormData) => {
    const res = await svc.request(path, { method: 'POST', body: form });
    expect(res.status, `${path} answers a redirect back to the page`).toBe(303);
    const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
    const location = res.headers.get('location') ?? '';
    const page = await (await svc.request(location, { headers: { cookie } })).text();
    const flash = /<p class="flash (ok|error)"[^>]*>([^<]*)<\/p>/.exec(page);
    return {
      location,
      tone: flash?.[1],
      text: flash?.[2]?.replaceAll('&quot;', '"').replaceAll('&#39;', "'"),
    };
  };
  const upload = (bytes: Uint8Array, type = 'image/png') => {
    const form = new FormData();
    form.set('file', new File([bytes as Uint8Array<ArrayBuffer>], 'signature.png', { type }));
    return form;
  };
  const parked = async (doctorId: string) => {
    await ws.addLetterhead(doctorId);
    const doc = cpv2Document({ doctorId });
    await svc.request('/documents', jsonPost(doc));
    await settled(doc.id, 'missing-signature');
    return doc;
  };

  it('says why a signature upload was refused, on the page, and the PUT API still answers 422 JSON', async () => {
    const doc = await parked('71');
    const notPng = new TextEncoder().encode('%PDF-1.7 not an image');
    const refused = await act('/admin/doctors/71/signature', upload(notPng));
    expect(refused).toMatchObject({ location: '/admin/errors', tone: 'error' });
    expect(refused.text).toMatch(/^Signature refused for doctor 71, nothing was stored: the PNG /);
    expect((await status(doc.id)).status).toBe('missing-signature');

    const api = await svc.request('/assets/signature/71', {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: notPng as Uint8Array<ArrayBuffer>,
    });
    expect(api.status).toBe(422);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    expect(await api.json()).toMatchObject({ code: 'UNPROCESSABLE' });
  });

  it('refuses a file above the size limit and an empty form with a message', async () => {
    const big = await act(
      '/admin/doctors/72/signature',
      upload(new Uint8Array(MAX_ASSET_BYTES + 128 * 1024)),
    );
    expect(big).toMatchObject({
      tone: 'error',
      text: expect.stringContaining('the file is larger than 5 MiB'),
    });
    const none = await act('/admin/doctors/72/signature', new FormData());
    expect(none.text).toBe('Signature refused for doctor 72, nothing was stored: no file was chosen');
  });

  it('says how many parked documents a signature upload released, and they convert', async () => {
    const doc = await parked('73');
    const done = await act('/admin/doctors/73/signature', upload(sampleSignaturePng(73)));
    expect(done).toEqual({
      location: '/admin/errors',
      tone: 'ok',
      text: `Signature stored for doctor 73; 1 parked document released for conversion: ${doc.id}.`,
    });
    await settled(doc.id, 'converted');
  });

  it('says what Retry did: still parked and why, failed again and why, refused for a converted document', async () => {
    const doc = await parked('74');
    const back = new FormData();
    back.set('back', '/admin/errors');
    const still = await act(`/admin/documents/${doc.id}/retry`, back);
    expect(still.location).toBe('/admin/errors');
    expect(still.tone).toBe('error');
    expect(still.text).toContain(`Document ${doc.id} is still parked (missing-signature)`);

    const zip = cpv2Document({ content: { mediaType: 'application/zip', base64: 'UEsDBA==' } });
    await ws.addLetterhead('42');
    await ws.addSignature('42');
    await svc.request('/documents', jsonPost(zip));
    await settled(zip.id, 'failed');
    const again = await act(`/admin/documents/${zip.id}/retry`, new FormData());
    expect(again.location).toBe('/admin');
    expect(again.text).toMatch(new RegExp(`^Document ${zip.id} failed again: .*application/zip`));

    const good = cpv2Document();
    await svc.request('/documents', jsonPost(good));
    await settled(good.id, 'converted');
    const refused = await act(`/admin/documents/${good.id}/retry`, new FormData());
    expect(refused.text).toBe(
      `Document ${good.id} is converted: only failed or parked documents are retried.`,
    );
    expect((await svc.request(`/documents/${good.id}/retry`, { method: 'POST' })).status).toBe(409);
  });

  it('never sends an action back to a page that is not ours', async () => {
    const form = new FormData();
    form.set('back', 'https://elsewhere.example/');
    const res = await svc.request('/admin/documents/NOPE-1/retry', { method: 'POST', body: form });
    expect(res.headers.get('location')).toBe('/admin');
  });

  it('shows the flash once', async () => {
    const res = await svc.request('/admin/documents/NOPE-2/retry', { method: 'POST', body: new FormData() });
    const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
    const first = await svc.request('/admin', { headers: { cookie } });
    expect(await first.text()).toContain('No document NOPE-2: nothing to retry.');
    expect(first.headers.get('set-cookie')).toMatch(/flash=;|Max-Age=0/);
  });
});
