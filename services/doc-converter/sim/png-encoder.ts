import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * A tiny PNG encoder (8-bit RGB or RGBA, no filtering), enough to generate sample signatures
 * and test images in code instead of committing binaries.
 */
export function encodePng(options: {
  width: number;
  height: number;
  alpha?: boolean;
  pixel: (x: number, y: number) => number[];
}): Uint8Array {
  const { width, height } = options;
  const channels = options.alpha === false ? 3 : 4;
  const raw = Buffer.alloc((width * channels + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * channels + 1);
    raw[row] = 0;
    for (let x = 0; x < width; x++) {
      const px = options.pixel(x, y);
      for (let c = 0; c < channels; c++) raw[row + 1 + x * channels + c] = px[c] ?? 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 4 ? 6 : 2;
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', new Uint8Array(0)),
    ]),
  );
}

/** A handwriting-like stroke on a transparent 142x85 background, different per seed. */
export function sampleSignaturePng(seed: number): Uint8Array {
  return encodePng({
    width: 142,
    height: 85,
    pixel: (x, y) => {
      const curve = 42 + 22 * Math.sin((x + seed * 7) / (9 + (seed % 5))) * Math.cos(x / 31);
      const on = Math.abs(y - curve) < 2.2 && x > 8 && x < 134;
      return on ? [10, 30, 110, 255] : [255, 255, 255, 0];
    },
  });
}
