/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { AdminLayout, AppError, type ServiceApp, StatusBadge } from '@hip/shared';
import { DOCUMENT_STATUSES, type DocumentStatus } from '../db/schema.ts';
import { storeAsset } from '../routes/assets/index.ts';
import type { DocumentService, DocumentView } from '../service-api.ts';

const SERVICE = 'doc-converter';
const NAV: [string, string][] = [
  ['/admin', 'Documents'],
  ['/admin/errors', 'Parked by doctor'],
  ['/admin/intake', 'Intake errors'],
];

const tone = (status: DocumentStatus) =>
  status === 'converted' ? 'ok' : status === 'failed' ? 'error' : status === 'queued' ? undefined : 'warn';

function Badge(props: { status: DocumentStatus }) {
  const t = tone(props.status);
  return t ? <StatusBadge status={props.status} tone={t} /> : <StatusBadge status={props.status} />;
}

function Flash(props: { text: string | undefined }) {
  return props.text ? (
    <p class="badge ok" role="status">
      {props.text}
    </p>
  ) : null;
}

function DocumentsTable(props: { documents: DocumentView[]; retry?: boolean }) {
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
          {props.retry ? <th /> : null}
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
            <td>{d.status === 'converted' ? d.outputPath : (d.error ?? '')}</td>
            <td class="muted">{d.receivedAt.replace('T', ' ').slice(0, 19)}</td>
            {props.retry ? (
              <td>
                {d.status === 'failed' ? (
                  <form class="inline" method="post" action={`/admin/documents/${d.id}/retry`}>
                    <button type="submit">Retry</button>
                  </form>
                ) : null}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Server-rendered admin pages: recent documents, parked ones by doctor with upload forms, intake errors. */
export function registerAdminPages(app: ServiceApp, service: DocumentService) {
  app.get('/', (c) => c.redirect('/admin'));

  app.get('/admin', async (c) => {
    const { counts, documents } = await service.overview(100);
    return c.html(
      <AdminLayout service={SERVICE} title="Documents" nav={NAV}>
        <p>
          {DOCUMENT_STATUSES.map((s) => (
            <span data-count={s}>
              <Badge status={s} /> {counts[s]}{' '}
            </span>
          ))}
        </p>
        <DocumentsTable documents={documents} retry />
      </AdminLayout>,
    );
  });

  app.get('/admin/errors', async (c) => {
    const doctors = await service.errorsByDoctor();
    return c.html(
      <AdminLayout service={SERVICE} title="Parked and failed documents by doctor" nav={NAV}>
        <Flash text={c.req.query('flash')} />
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
            <DocumentsTable documents={d.documents} retry />
          </section>
        ))}
      </AdminLayout>,
    );
  });

  app.get('/admin/intake', async (c) => {
    const files = await service.intakeFiles(200, 'failed');
    return c.html(
      <AdminLayout service={SERVICE} title="Patient XML intake errors" nav={NAV}>
        <p class="muted">Refused files are in the intake folder's errors/ with a .reason.txt next to them.</p>
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
              <tr>
                <td>{f.fileName}</td>
                <td>{f.reason}</td>
                <td>{f.line ? `${f.line}:${f.column}` : ''}</td>
                <td class="muted">{f.receivedAt.replace('T', ' ').slice(0, 19)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </AdminLayout>,
    );
  });

  for (const kind of ['signature', 'letterhead'] as const) {
    app.post(`/admin/doctors/:doctorId/${kind}`, async (c) => {
      const doctorId = c.req.param('doctorId');
      if (!/^[A-Za-z0-9-]{1,32}$/.test(doctorId)) throw new AppError('BAD_REQUEST', 'invalid doctor id');
      const form = await c.req.formData();
      const file = form.get('file');
      if (!(file instanceof File) || file.size === 0)
        throw new AppError('BAD_REQUEST', 'choose a file to upload');
      const result = await storeAsset(kind, service, doctorId, new Uint8Array(await file.arrayBuffer()));
      const flash = `${kind} stored for doctor ${doctorId}; ${result.released.length} document(s) released`;
      return c.redirect(`/admin/errors?flash=${encodeURIComponent(flash)}`, 303);
    });
  }

  app.post('/admin/documents/:id/retry', async (c) => {
    const id = c.req.param('id');
    if (!(await service.retry(id))) throw new AppError('NOT_FOUND', `no document "${id}"`);
    return c.redirect('/admin', 303);
  });
}
