/** A path asked for by a browser that does not name a place inside the browsed folder. */
export class BrowsePathError extends Error {
  override name = 'BrowsePathError';
}

/**
 * The folder segments of a browse URL's tail (`mlefevre/2026`), each percent-decoded once.
 * Browsers and `fetch` already collapse `..` and `%2e%2e` segments, but a raw request does not,
 * and `..%2f` or `%5c` only become separators after decoding: every segment is checked after it
 * is decoded, so that nothing but plain names reaches the file system.
 *
 * @example browseSegments('mlefevre/') // ['mlefevre']
 */
export function browseSegments(rawTail: string): string[] {
  const segments: string[] = [];
  for (const raw of rawTail.split('/')) {
    if (raw === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      throw new BrowsePathError(`"${raw}" is not a valid percent-encoded name`);
    }
    segments.push(checkedName(name));
  }
  return segments;
}

function checkedName(name: string): string {
  if (name === '.' || name === '..') throw new BrowsePathError('".." and "." are not allowed in a path');
  if (name.includes('/') || name.includes('\\'))
    throw new BrowsePathError('a name contains a path separator');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new BrowsePathError('a name contains a control character');
  // Hidden names are the atomic writers' temporary files (`.name.tmp`): never shown half-written.
  if (name.startsWith('.')) throw new BrowsePathError('hidden names are not served');
  return name;
}
