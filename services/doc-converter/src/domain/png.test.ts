import { describe, expect, it } from 'vitest';
import { encodePng } from '../../sim/png-encoder.ts';
import {
  charsetParameter,
  contentMismatch,
  decodeText,
  htmlMetaCharset,
  supportedMediaType,
} from './media-type.ts';
import { crc32, pngProblem, readPngInfo, signaturePngProblem } from './png.ts';

const rgba = (w: number, h: number) => encodePng({ width: w, height: h, pixel: () => [0, 0, 80, 128] });
const rgb = (w: number, h: number) =>
  encodePng({ width: w, height: h, alpha: false, pixel: () => [255, 255, 255] });
const noisy = () => encodePng({ width: 142, height: 85, pixel: (x, y) => [x % 256, (x * y) % 256, 80, 128] });

/** The same PNG with its IDAT data cut in half but re-wrapped in valid chunks (right length, right CRC). */
function withCutImageData(png: Uint8Array): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const idatAt = 33;
  const data = png.subarray(idatAt + 8, idatAt + 8 + view.getUint32(idatAt) / 2);
  const chunk = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length);
    const v = new DataView(out.buffer);
    v.setUint32(0, body.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(body, 8);
    v.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const parts = [png.subarray(0, idatAt), chunk('IDAT', data), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('signature PNG validation', () => {
  it('accepts a transparent 142x85 PNG and its exact multiples', async () => {
    expect(await signaturePngProblem(rgba(142, 85))).toBeUndefined();
    expect(await signaturePngProblem(rgba(284, 170))).toBeUndefined();
  });
  it('refuses another size, naming both sizes', async () => {
    expect(await signaturePngProblem(rgba(200, 85))).toContain(
      'is 200x85 pixels; a signature must be 142x85',
    );
  });
  it('refuses an opaque PNG', async () => {
    expect(await signaturePngProblem(rgb(142, 85))).toContain('no transparency');
  });
  it('refuses bytes that are not a PNG', async () => {
    expect(
      await signaturePngProblem(new TextEncoder().encode('%PDF-1.7 not a png at all, really not')),
    ).toContain('not a PNG');
  });
  it('refuses a truncated signature PNG (pdf-lib would spin forever on it)', async () => {
    expect(await signaturePngProblem(rgba(142, 85).slice(0, 200))).toMatch(/^PNG truncated: /);
  });
  it('reads the size and colour type from IHDR', () => {
    expect(readPngInfo(rgba(3, 2))).toEqual({ width: 3, height: 2, colorType: 6, transparent: true });
  });
});

describe('PNG structure', () => {
  it('refuses a PNG cut anywhere before IEND, naming the truncation', () => {
    const png = noisy();
    for (const length of [40, 100, png.length / 2, png.length - 5]) {
      expect(() => readPngInfo(png.slice(0, length))).toThrow(/^PNG truncated: /);
    }
    expect(contentMismatch('image/png', png.slice(0, 200))).toMatch(/^PNG truncated: chunk "IDAT"/);
  });
  it('refuses a chunk whose CRC does not match', () => {
    const png = noisy().slice();
    png[60] = (png[60] ?? 0) ^ 0xff;
    expect(() => readPngInfo(png)).toThrow('PNG corrupt: CRC mismatch in chunk "IDAT" at byte 33');
  });
  it('refuses image data cut short inside well-formed chunks', async () => {
    const cut = withCutImageData(noisy());
    expect(() => readPngInfo(cut)).not.toThrow();
    expect(await pngProblem(cut)).toMatch(/^PNG truncated: image data/);
    expect(await pngProblem(noisy())).toBeUndefined();
  });
});

describe('media types', () => {
  it('normalises parameters, case and image/jpg, and refuses what it cannot convert', () => {
    expect(supportedMediaType('Text/HTML; charset=UTF-8')).toBe('text/html');
    expect(supportedMediaType('image/jpg')).toBe('image/jpeg');
    expect(supportedMediaType('application/msword')).toBeUndefined();
  });
  it('refuses content whose bytes contradict the declared type', () => {
    expect(contentMismatch('image/png', new Uint8Array([0x25, 0x50, 0x44, 0x46]))).toContain('not a PNG');
    expect(contentMismatch('application/pdf', new Uint8Array([0x25, 0x50, 0x44, 0x46]))).toBeUndefined();
  });
  it('reads the declared charset from the media type parameter or the HTML <meta>', () => {
    expect(charsetParameter('text/plain; Charset="Windows-1252"')).toBe('Windows-1252');
    expect(charsetParameter('text/plain')).toBeUndefined();
    const html = (head: string) => new TextEncoder().encode(`<html><head>${head}</head></html>`);
    expect(htmlMetaCharset(html('<meta charset="iso-8859-1">'))).toBe('iso-8859-1');
    expect(
      htmlMetaCharset(html('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')),
    ).toBe('windows-1252');
  });
  it('decodes windows-1252 with the WHATWG table (€, œ, —), which Node 20 gets wrong', () => {
    expect(decodeText(new Uint8Array([0x80, 0x20, 0x9c, 0x97, 0xe9]), 'text/plain; charset=cp1252')).toEqual({
      text: '€ œ—é',
    });
    expect(decodeText(new Uint8Array([0xe9]), 'text/plain')).toEqual({
      problem: 'the text is not valid UTF-8 and declares no charset (add ;charset=... to the media type)',
    });
  });
});
