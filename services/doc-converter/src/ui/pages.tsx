/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import {
  AdminLayout,
  redirectWithFlash,
  type ServiceApp,
  StatusBadge,
  Timestamp,
  takeFlash,
} from '@hip/shared';
import { bodyLimit } from 'hono/body-limit';
import { DOCUMENT_STATUSES, type DocumentStatus } from '../db/schema.ts';
import { MAX_ASSET_BYTES } from '../routes/assets/index.ts';
import {
  AssetRefusedError,
  type DocumentService,
  type DocumentView,
  type FolderBrowser,
} from '../service-api.ts';
import { retryOutcome, retryRefusal, uploadOutcome, uploadRefusal } from './action-messages.ts';
import { NAV, SERVICE } from './nav.ts';

const tone = (status: DocumentStatus) =>
  status === 'converted' ? 'ok' : status === 'failed' ? 'error' : status === 'queued' ? undefined : 'warn';

const retryable = (status: DocumentStatus) => status !== 'converted' && status !== 'queued';

function Badge(props: { status: DocumentStatus }) {
  const t = tone(props.status);
  return t ? <StatusBadge status={props.status} tone={t} /> : <StatusBadge status={props.status} />;
}

function DocumentsTable(props: { documents: DocumentView[]; back: string }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Document</th>
          <th>Kind</th>
          <th>Doctor</th>
          <th>Login</th>
          <th>Status</th>
          <th>Output / reason</th>
          <th>Received</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.documents.map((d) => (
          <tr data-document={d.id}>
            <td>{d.id}</td>
            <td>{d.kind}</td>
            <td>{d.doctorId}</td>
            <td>{d.windowsLogin}</td>
            <td>
              <Badge status={d.status} />
            </td>
            <td>
              {d.status === 'converted' && d.outputPath ? (
                // By document id: the file name carries the patient's name, kept out of URLs.
                <a href={`/admin/documents/${d.id}/pdf`}>{d.outputPath}</a>
              ) : (
                (d.error ?? '')
              )}
            </td>
            <td class="muted">
              <Timestamp value={d.receivedAt} />
            </td>
            <td>
              {retryable(d.status) ? (
                <form class="inline" method="post" action={`/admin/documents/${d.id}/retry`}>
                  <input type="hidden" name="back" value={props.back} />
                  <button type="submit">Retry</button>
                </form>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Where an action returns: one of our own pages, never a location taken from the form as is. */
const backTo = (value: unknown) =>
  typeof value === 'string' && NAV.some(([href]) => href === value) ? value : '/admin';

/** Server-rendered admin pages: recent documents, parked ones by doctor with upload forms, intake errors. */
export function registerAdminPages(
  app: ServiceApp,
  service: DocumentService,
  folders: { share: FolderBrowser; intakeErrors?: FolderBrowser | undefined },
) {
  app.get('/', (c) => c.redirect('/admin'));

  app.get('/admin', async (c) => {
    const { counts, documents } = await service.overview(100);
    return c.html(
      <AdminLayout service={SERVICE} title="Documents" nav={NAV} flash={takeFlash(c)}>
        <p>
          {DOCUMENT_STATUSES.map((s) => (
            <span data-count={s}>
              <Badge status={s} /> {counts[s]}{' '}
            </span>
          ))}
        </p>
        <DocumentsTable documents={documents} back="/admin" />
      </AdminLayout>,
    );
  });

  app.get('/admin/errors', async (c) => {
    const doctors = await service.errorsByDoctor();
    return c.html(
      <AdminLayout
        service={SERVICE}
        title="Parked and failed documents by doctor"
        nav={NAV}
        flash={takeFlash(c)}
      >
        {doctors.length === 0 ? <p>Nothing is waiting.</p> : null}
        {doctors.map((d) => (
          <section data-doctor={d.doctorId}>
            <h2>Doctor {d.doctorId}</h2>
            <p>
              {d.missingSignature} missing signature, {d.missingLetterhead} missing letterhead, {d.failed}{' '}
              failed
            </p>
            <form
              method="post"
              action={`/admin/doctors/${d.doctorId}/signature`}
              enctype="multipart/form-data"
            >
              <label>
                Signature (PNG 142x85, transparent){' '}
                <input type="file" name="file" accept="image/png" required />
              </label>{' '}
              <button type="submit">Upload signature</button>
            </form>
            <form
              method="post"
              action={`/admin/doctors/${d.doctorId}/letterhead`}
              enctype="multipart/form-data"
            >
              <label>
                Letterhead (PDF) <input type="file" name="file" accept="application/pdf" required />
              </label>{' '}
              <button type="submit">Upload letterhead</button>
            </form>
            <DocumentsTable documents={d.documents} back="/admin/errors" />
          </section>
        ))}
      </AdminLayout>,
    );
  });

  app.get('/admin/intake', async (c) => {
    const files = await service.intakeFiles(200, 'failed');
    return c.html(
      <AdminLayout service={SERVICE} title="Patient XML intake errors" nav={NAV}>
        {folders.intakeErrors ? (
          <p>
            Refused files are moved to the intake folder's errors/ with a .reason.txt next to them:{' '}
            <a href="/admin/intake/errors/">open the refused files</a>.
          </p>
        ) : (
          <p class="muted">The intake is off (INTAKE_DIR is not set).</p>
        )}
        <table>
          <thead>
            <tr>
              <th>File</th>
              <th>Reason</th>
              <th>Line:column</th>
              <th>Received</th>
            </tr>
          </thead>
          <tbody>
            {files.map((f) => (
              <tr data-intake-file={f.fileName}>
                <td>{f.fileName}</td>
                <td>{f.reason}</td>
                <td>{f.line ? `${f.line}:${f.column}` : ''}</td>
                <td class="muted">
                  <Timestamp value={f.receivedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </AdminLayout>,
    );
  });

  app.get('/admin/documents/:id/pdf', async (c) => {
    const id = c.req.param('id');
    const doc = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await service.get(id) : undefined;
    const slash = doc?.outputPath?.lastIndexOf('/') ?? -1;
    const pdf =
      doc?.status === 'converted' && doc.outputPath
        ? await folders.share.file(doc.outputPath.slice(0, Math.max(slash, 0)).split('/').filter(Boolean), {
            name: doc.outputPath.slice(slash + 1),
          })
        : undefined;
    if (!pdf) {
      return c.html(
        <AdminLayout
          service={SERVICE}
          title="PDF not available"
          nav={NAV}
          flash={{
            tone: 'error',
            text: doc
              ? `Document ${id} is ${doc.status}${doc.status === 'converted' ? ', but its PDF is no longer on the share' : ': it has no PDF yet'}.`
              : `No document ${id}.`,
          }}
        />,
        404,
      );
    }
    return c.body(pdf.bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': pdf.mediaType,
      'content-disposition': `inline; filename="${pdf.name}"`,
    });
  });

  // Form uploads are multipart: the JSON API's PUT routes take the raw file instead. A refusal
  // comes back to the page as a message; the API answers the same refusals as problem JSON.
  const formLimit = MAX_ASSET_BYTES + 64 * 1024;
  for (const kind of ['signature', 'letterhead'] as const) {
    const path = `/admin/doctors/:doctorId/${kind}`;
    app.post(
      path,
      bodyLimit({
        maxSize: formLimit,
        onError: (c) =>
          redirectWithFlash(
            c,
            '/admin/errors',
            uploadRefusal(
              kind,
              c.req.param('doctorId') ?? '?',
              `the file is larger than ${MAX_ASSET_BYTES / 1024 / 1024} MiB`,
            ),
          ),
      }),
      async (c) => {
        const doctorId = c.req.param('doctorId') ?? '';
        const refuse = (reason: string) =>
          redirectWithFlash(c, '/admin/errors', uploadRefusal(kind, doctorId, reason));
        if (!/^[A-Za-z0-9-]{1,32}$/.test(doctorId)) return refuse('the doctor id is not valid');
        const form = await c.req.formData().catch(() => undefined);
        const file = form?.get('file');
        if (!(file instanceof File) || file.size === 0) return refuse('no file was chosen');
        const bytes = new Uint8Array(await file.arrayBuffer());
        try {
          const { released } =
            kind === 'signature'
              ? await service.putSignature(doctorId, bytes)
              : await service.putLetterhead(doctorId, bytes);
          return redirectWithFlash(c, '/admin/errors', uploadOutcome(kind, doctorId, released));
        } catch (error) {
          if (error instanceof AssetRefusedError) return refuse(error.message);
          throw error;
        }
      },
    );
  }

  app.post('/admin/documents/:id/retry', async (c) => {
    const id = c.req.param('id');
    const form = await c.req.formData().catch(() => undefined);
    const back = backTo(form?.get('back'));
    const valid = /^[A-Za-z0-9_-]{1,64}$/.test(id);
    const refusal = retryRefusal(id, valid ? await service.get(id) : undefined);
    if (refusal) return redirectWithFlash(c, back, refusal);
    return redirectWithFlash(c, back, retryOutcome(id, await service.retryAndSettle(id)));
  });
}
