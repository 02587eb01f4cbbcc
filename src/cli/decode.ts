/** Image files to RawImage under Node (PNG via pngjs, JPEG via jpeg-js), with clear errors. */
import { readFileSync, statSync } from 'node:fs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { LabError } from '../engine/errors';
import type { RawImage } from '../engine/types';

/** Refuse decoded images above this many pixels (decompression bombs, accidental panoramas). */
export const MAX_PIXELS = 40_000_000;

export function decodeImageFile(path: string): RawImage {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new LabError('bad-image', `${path}: no such file.`);
  }
  if (size > 200 * 2 ** 20) throw new LabError('too-large', `${path}: ${Math.round(size / 2 ** 20)} MB is too large for an image.`);
  return decodeImageBytes(new Uint8Array(readFileSync(path)), path);
}

export function decodeImageBytes(bytes: Uint8Array, label = 'image'): RawImage {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  try {
    if (isPng) {
      const png = PNG.sync.read(Buffer.from(bytes));
      check(png.width, png.height, label);
      return { width: png.width, height: png.height, channels: 4, data: new Uint8Array(png.data) };
    }
    if (isJpeg) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6 });
      check(img.width, img.height, label);
      return { width: img.width, height: img.height, channels: 4, data: img.data };
    }
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('bad-image', `${label}: cannot decode (${err instanceof Error ? err.message : String(err)}).`);
  }
  throw new LabError('bad-image', `${label}: not a PNG or JPEG file.`);
}

function check(width: number, height: number, label: string): void {
  if (width * height > MAX_PIXELS) {
    throw new LabError('too-large', `${label}: ${width}×${height} exceeds ${MAX_PIXELS / 1e6} megapixels.`);
  }
}
