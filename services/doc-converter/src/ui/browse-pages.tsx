/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
import { AdminLayout, type ServiceApp, Timestamp } from '@hip/shared';
import type { Context } from 'hono';
import { BrowsePathError, browseSegments } from '../domain/browse-path.ts';
import type { BrowsedFolder, FolderBrowser } from '../service-api.ts';
import { NAV, SERVICE } from './nav.ts';

const folderHref = (prefix: string, path: string[]) =>
  `${prefix}/${path.map((p) => `${encodeURIComponent(p)}/`).join('')}`;

function FolderListing(props: { prefix: string; folder: BrowsedFolder }) {
  const { prefix, folder } = props;
  const here = folderHref(prefix, folder.path);
  return (
    <>
      <p data-breadcrumb>
        <a href={`${prefix}/`}>root</a>
        {folder.path.map((name, i) => (
          <>
            {' / '}
            <a href={folderHref(prefix, folder.path.slice(0, i + 1))}>{name}</a>
          </>
        ))}
      </p>
      {folder.folders.length === 0 && folder.files.length === 0 ? <p>This folder is empty.</p> : null}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Size</th>
            <th>Modified</th>
          </tr>
        </thead>
        <tbody>
          {folder.folders.map((name) => (
            <tr data-folder={name}>
              <td>
                <a href={folderHref(prefix, [...folder.path, name])}>{name}/</a>
              </td>
              <td />
              <td />
            </tr>
          ))}
          {folder.files.map((f) => (
            <tr data-file={f.name}>
              <td>
                <a href={`${here}?file=${f.ref}`}>{f.name}</a>
              </td>
              <td>{f.bytes} bytes</td>
              <td class="muted">
                <Timestamp value={f.modifiedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/**
 * Read-only pages over a folder tree: `<prefix>/<folders>/` lists a folder, `?file=<ref>` opens
 * one of its files with its media type (a PDF opens in the browser's viewer).
 */
function registerFolderPages(
  app: ServiceApp,
  options: { prefix: string; title: string; root: string; browser: FolderBrowser | undefined; off: string },
) {
  const { prefix, title, browser } = options;
  const problem = (c: Context, status: 400 | 404, text: string) =>
    c.html(<AdminLayout service={SERVICE} title={title} nav={NAV} flash={{ tone: 'error', text }} />, status);

  app.on('GET', [prefix, `${prefix}/*`], async (c) => {
    if (!browser) return problem(c, 404, options.off);
    // The raw path, not Hono's decoded one: each segment is decoded once, then checked.
    const tail = new URL(c.req.url).pathname.slice(prefix.length);
    let path: string[];
    try {
      path = browseSegments(tail);
      const ref = c.req.query('file');
      if (ref !== undefined) {
        const file = /^[0-9a-f]{1,64}$/.test(ref) ? await browser.file(path, { ref }) : undefined;
        if (!file) return problem(c, 404, 'No such file in this folder (it may have been moved or removed).');
        return c.body(file.bytes as Uint8Array<ArrayBuffer>, 200, {
          'content-type': file.mediaType,
          'content-disposition': `inline; filename="${file.name.replace(/["\\\r\n]/g, '_')}"`,
          'x-content-type-options': 'nosniff',
        });
      }
      const folder = await browser.list(path);
      if (!folder) return problem(c, 404, `No folder ${path.length ? path.join('/') : options.root} here.`);
      return c.html(
        <AdminLayout service={SERVICE} title={title} nav={NAV}>
          <p class="muted">{options.root}</p>
          <FolderListing prefix={prefix} folder={folder} />
        </AdminLayout>,
      );
    } catch (error) {
      if (error instanceof BrowsePathError) return problem(c, 400, `Path refused: ${error.message}.`);
      throw error;
    }
  });
}

/** The export share and the refused intake files, browsable from the admin pages. */
export function registerBrowsePages(
  app: ServiceApp,
  folders: { share: FolderBrowser; intakeErrors?: FolderBrowser | undefined },
) {
  registerFolderPages(app, {
    prefix: '/admin/share',
    title: 'Export share',
    root: 'The share (EXPORT_ROOT): one folder per doctor login, the PDFs their PC maps.',
    browser: folders.share,
    off: 'The share is not configured.',
  });
  registerFolderPages(app, {
    prefix: '/admin/intake/errors',
    title: 'Refused patient XML files',
    root: "The intake folder's errors/: each refused file with its .reason.txt.",
    browser: folders.intakeErrors,
    off: 'The intake is off (INTAKE_DIR is not set).',
  });
}
