/**
 * Pixels ⇄ the upscaler's tensors: RGB(A) bytes to planar float [3,h,w] in [0,1], and a planar
 * float rectangle back to RGBA bytes (clamped and rounded: the model's output is not clamped).
 * Both work on rectangles so that tiles never need a full-size float copy of the image.
 */
import type { RawImage } from '../types';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A rectangle of `img` as planar float [3,h,w] / 255, into `out` when it has the right length. */
export function regionToPlanar(img: RawImage, r: Rect, out?: Float32Array): Float32Array {
  const { width: W, channels: c, data } = img;
  const plane = r.width * r.height;
  const dst = out && out.length === 3 * plane ? out : new Float32Array(3 * plane);
  const k = 1 / 255;
  for (let y = 0; y < r.height; y++) {
    let s = ((r.y + y) * W + r.x) * c;
    let d = y * r.width;
    for (let x = 0; x < r.width; x++, s += c, d++) {
      dst[d] = data[s] * k;
      dst[d + plane] = data[s + 1] * k;
      dst[d + 2 * plane] = data[s + 2] * k;
    }
  }
  return dst;
}

/**
 * Writes rectangle `r` of a planar float image (srcWidth × srcHeight) into RGBA bytes `dst` of
 * width `dstWidth` at (dx, dy). Uint8ClampedArray clamps and rounds (half to even) on assignment.
 */
export function planarToRgba(
  src: Float32Array,
  srcWidth: number,
  srcHeight: number,
  r: Rect,
  dst: Uint8ClampedArray,
  dstWidth: number,
  dx: number,
  dy: number,
): void {
  const plane = srcWidth * srcHeight;
  for (let y = 0; y < r.height; y++) {
    let s = (r.y + y) * srcWidth + r.x;
    let d = ((dy + y) * dstWidth + dx) * 4;
    for (let x = 0; x < r.width; x++, s++, d += 4) {
      dst[d] = src[s] * 255;
      dst[d + 1] = src[s + plane] * 255;
      dst[d + 2] = src[s + 2 * plane] * 255;
      dst[d + 3] = 255;
    }
  }
}
