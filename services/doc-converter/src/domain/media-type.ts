import { SUPPORTED_MEDIA_TYPES } from '@hip/shared/schemas';
import { readPngInfo } from './png.ts';

export type SupportedMediaType = (typeof SUPPORTED_MEDIA_TYPES)[number];

/** `Text/HTML; charset=UTF-8` -> `text/html`, or undefined when we cannot convert it. */
export function supportedMediaType(mediaType: string): SupportedMediaType | undefined {
  const base = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  const aliased = base === 'image/jpg' ? 'image/jpeg' : base;
  return (SUPPORTED_MEDIA_TYPES as readonly string[]).includes(aliased)
    ? (aliased as SupportedMediaType)
    : undefined;
}

/** The declared type must match the bytes: a PDF declared as PNG is refused, not mis-rendered. */
export function contentMismatch(type: SupportedMediaType, bytes: Uint8Array): string | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (type === 'application/pdf' && !starts(0x25, 0x50, 0x44, 0x46))
    return 'declared application/pdf but does not start with %PDF';
  if (type === 'image/png') {
    if (!starts(0x89, 0x50, 0x4e, 0x47)) return 'declared image/png but is not a PNG';
    // The whole chunk structure, not just the magic: a cut PNG must fail here, not in pdf-lib.
    try {
      readPngInfo(bytes);
    } catch (error) {
      return (error as Error).message;
    }
  }
  if (type === 'image/jpeg' && !starts(0xff, 0xd8, 0xff)) return 'declared image/jpeg but is not a JPEG';
  return undefined;
}

/** `text/plain; charset="windows-1252"` -> `windows-1252`; undefined without the parameter. */
export function charsetParameter(mediaType: string): string | undefined {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(mediaType);
  const value = (match?.[1] ?? match?.[2])?.trim();
  return value ? value : undefined;
}

/** The charset an HTML file declares in its first 1024 bytes (`<meta charset>` or http-equiv). */
export function htmlMetaCharset(bytes: Uint8Array): string | undefined {
  // Charset labels are ASCII, so reading the prescan window byte-per-char is exact enough.
  const head = String.fromCharCode(...bytes.subarray(0, 1024));
  const match =
    /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head) ??
    /<meta[^>]+content\s*=\s*["'][^"']*charset\s*=\s*([A-Za-z0-9._:-]+)/i.exec(head);
  return match?.[1];
}

/**
 * Decodes text with the charset the sender declared: the media type's parameter first, then
 * for HTML a `<meta charset>`, else UTF-8. Decoding is strict: a windows-1252 letter read as
 * UTF-8 would be marked converted with its accents replaced by U+FFFD.
 */
export function decodeText(
  bytes: Uint8Array,
  mediaType: string,
): { text: string; problem?: undefined } | { problem: string } {
  const declared =
    charsetParameter(mediaType) ??
    (supportedMediaType(mediaType) === 'text/html' ? htmlMetaCharset(bytes) : undefined);
  const charset = declared ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    return { problem: `charset "${charset}" is unknown` };
  }
  try {
    return { text: decoder.encoding === 'windows-1252' ? decodeWindows1252(bytes) : decoder.decode(bytes) };
  } catch {
    return {
      problem: declared
        ? `the text is not valid ${charset} (its declared charset)`
        : 'the text is not valid UTF-8 and declares no charset (add ;charset=... to the media type)',
    };
  }
}

/** WHATWG windows-1252 for 0x80-0x9F (€, ‚, ƒ, „, …, ‘, ’, “, ”, •, –, —, œ, Ÿ...). */
const WINDOWS_1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d,
  0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a,
  0x153, 0x9d, 0x17e, 0x178,
];

/**
 * Node 20's TextDecoder decodes the labels latin1, iso-8859-1 and windows-1252 as ISO-8859-1,
 * turning € and œ into invisible C1 controls; the WHATWG table (what browsers and Deno use) is
 * applied by hand instead. Every byte is defined, so this decoding cannot fail.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const codes = Array.from(bytes.subarray(i, i + 8192), (b) =>
      b >= 0x80 && b < 0xa0 ? (WINDOWS_1252_C1[b - 0x80] as number) : b,
    );
    out += String.fromCharCode(...codes);
  }
  return out;
}
