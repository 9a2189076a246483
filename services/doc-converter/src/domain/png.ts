const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export interface PngInfo {
  width: number;
  height: number;
  colorType: number;
  /** An alpha channel (colour types 4 and 6) or a tRNS chunk. */
  transparent: boolean;
}

/** Every chunk seen, for the checks that need more than the header. */
interface PngStructure extends PngInfo {
  bitDepth: number;
  interlaced: boolean;
  idat: Uint8Array[];
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** The PNG chunk CRC (ISO 3309). node:zlib has crc32 only from Node 22, and domain/ stays portable. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Walks every chunk: lengths inside the file, CRCs right, IHDR first, IDAT present, IEND
 * reached. pdf-lib's PNG decoder spins forever on a cut file, so nothing reaches it unchecked.
 */
function readPngStructure(bytes: Uint8Array): PngStructure {
  if (bytes.length < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new Error('is not a PNG file (bad signature)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const info: PngStructure = {
    width: 0,
    height: 0,
    colorType: 0,
    transparent: false,
    bitDepth: 0,
    interlaced: false,
    idat: [],
  };
  let at = 8;
  let first = true;
  for (;;) {
    if (at + 12 > bytes.length) {
      throw new Error(`PNG truncated: ${bytes.length} bytes, ends before the IEND chunk`);
    }
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (length > bytes.length - at - 12) {
      throw new Error(
        `PNG truncated: chunk ${JSON.stringify(type)} at byte ${at} declares ${length} bytes, only ${bytes.length - at - 12} remain`,
      );
    }
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) {
      throw new Error(`PNG corrupt: CRC mismatch in chunk ${JSON.stringify(type)} at byte ${at}`);
    }
    if (first) {
      if (type !== 'IHDR' || length !== 13) throw new Error('is not a PNG file (IHDR chunk missing)');
      info.width = view.getUint32(at + 8);
      info.height = view.getUint32(at + 12);
      info.bitDepth = data[8] ?? 0;
      info.colorType = data[9] ?? 0;
      info.interlaced = data[12] === 1;
      info.transparent = info.colorType === 4 || info.colorType === 6;
      if (info.width === 0 || info.height === 0 || CHANNELS[info.colorType] === undefined) {
        throw new Error(
          `PNG corrupt: invalid IHDR (${info.width}x${info.height}, colour type ${info.colorType})`,
        );
      }
      first = false;
    }
    if (type === 'tRNS') info.transparent = true;
    if (type === 'IDAT') info.idat.push(data);
    at += 12 + length;
    if (type === 'IEND') break;
  }
  if (info.idat.length === 0) throw new Error('PNG corrupt: no IDAT chunk (no image data)');
  return info;
}

/** Reads the header of a PNG after checking its whole chunk structure; throws with the reason. */
export function readPngInfo(bytes: Uint8Array): PngInfo {
  const { width, height, colorType, transparent } = readPngStructure(bytes);
  return { width, height, colorType, transparent };
}

/**
 * Why a PNG cannot be decoded; undefined when it can. Beyond the chunks, the image data must
 * inflate completely to at least the size the header announces: a zlib stream cut short inside
 * well-formed chunks also makes pdf-lib loop. Web-standard DecompressionStream keeps this portable.
 */
export async function pngProblem(bytes: Uint8Array): Promise<string | undefined> {
  let png: PngStructure;
  try {
    png = readPngStructure(bytes);
  } catch (error) {
    return (error as Error).message;
  }
  const rowBytes = Math.ceil((png.width * (CHANNELS[png.colorType] as number) * png.bitDepth) / 8);
  // Interlaced passes add filter bytes per pass row: the plain size is a lower bound then.
  const expected = png.height * (rowBytes + 1);
  let inflated = 0;
  try {
    const stream = new Blob(png.idat as BlobPart[]).stream().pipeThrough(new DecompressionStream('deflate'));
    for await (const piece of stream as unknown as AsyncIterable<Uint8Array>) {
      inflated += piece.length;
      // More than an interlaced image could need: a decompression bomb, stop reading.
      if (inflated > expected * 2 + 1024) return 'PNG corrupt: image data larger than its size announces';
    }
  } catch (error) {
    return `PNG truncated: image data cannot be decompressed (${(error as Error).message})`;
  }
  if (inflated < expected) {
    return `PNG truncated: image data is ${inflated} bytes, ${png.width}x${png.height} needs ${expected}`;
  }
  return undefined;
}

/** The seed's signature format: 142 x 85 pixels on a transparent background. */
export const SIGNATURE_SIZE = { width: 142, height: 85 } as const;
export const MAX_SIGNATURE_BYTES = 512 * 1024;

/**
 * Why a PNG cannot be a signature image; undefined when it can. Exact multiples (x2, x3, x4)
 * of 142x85 are accepted: the same layout, sharper when printed.
 */
export async function signaturePngProblem(bytes: Uint8Array): Promise<string | undefined> {
  if (bytes.length > MAX_SIGNATURE_BYTES) {
    return `is ${bytes.length} bytes, more than the ${MAX_SIGNATURE_BYTES} allowed`;
  }
  let info: PngInfo;
  try {
    info = readPngInfo(bytes);
  } catch (error) {
    return (error as Error).message;
  }
  const scale = info.width / SIGNATURE_SIZE.width;
  if (![1, 2, 3, 4].includes(scale) || info.height !== SIGNATURE_SIZE.height * scale) {
    return `is ${info.width}x${info.height} pixels; a signature must be ${SIGNATURE_SIZE.width}x${SIGNATURE_SIZE.height} (or exactly 2x, 3x, 4x)`;
  }
  if (!info.transparent)
    return 'has no transparency (no alpha channel or tRNS chunk): the background would hide the text';
  return pngProblem(bytes);
}
