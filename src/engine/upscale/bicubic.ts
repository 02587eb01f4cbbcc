/**
 * Bicubic resizing exactly as Pillow's `Image.resize(size, Image.BICUBIC)` (Resample.c): Keys
 * cubic with a = -0.5, support 2 scaled by the factor when downscaling (so downscaling
 * antialiases), separable — horizontal pass first, rounded to 8 bits, then vertical — with
 * Pillow's 22-bit fixed-point weights, round-half-up and clamping. The FREDSR data is made with
 * Pillow, so the bicubic baseline and the low-resolution inputs agree with training bit for bit.
 */
import { LabError } from '../errors';
import type { RawImage } from '../types';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const SUPPORT = 2;

/** Resizes to width×height; returns RGB (an RGBA input's alpha is dropped). */
export function resizeBicubic(img: RawImage, width: number, height: number): RawImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new LabError('bad-request', `Cannot resize to ${width}×${height}.`);
  }
  const rgb = toRgb(img);
  const horizontal = width !== img.width ? resampleAxis(rgb, img.width, img.height, width, true) : rgb;
  const data = height !== img.height ? resampleAxis(horizontal, width, img.height, height, false) : horizontal;
  return { width, height, channels: 3, data };
}

function toRgb(img: RawImage): Uint8Array {
  const n = img.width * img.height;
  if (img.channels === 3) return img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data);
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[i * 3] = img.data[i * 4];
    out[i * 3 + 1] = img.data[i * 4 + 1];
    out[i * 3 + 2] = img.data[i * 4 + 2];
  }
  return out;
}

function cubic(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

interface Coeffs {
  /** First source index per output index. */
  start: Int32Array;
  /** Number of taps per output index. */
  count: Int32Array;
  /** Fixed-point weights, `ksize` per output index. */
  weights: Int32Array;
  ksize: number;
}

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis. */
function coefficients(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const hi = Math.min(Math.trunc(center + support + 0.5), inSize);
    const n = hi - lo;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      w[i] = cubic((i + lo - center + 0.5) / filterScale);
      sum += w[i];
    }
    for (let i = 0; i < n; i++) {
      const v = sum !== 0 ? w[i] / sum : w[i];
      // C's (int) cast truncates toward zero after the ±0.5: round half away from zero.
      weights[o * ksize + i] = Math.trunc(v < 0 ? -0.5 + v * ONE : 0.5 + v * ONE);
    }
    start[o] = lo;
    count[o] = n;
  }
  return { start, count, weights, ksize };
}

function clip8(v: number): number {
  if (v >= ONE * 255) return 255;
  if (v <= 0) return 0;
  return Math.floor(v / ONE);
}

/** One separable pass over RGB bytes (w×h), along x (horizontal) or y, to `outSize` samples. */
function resampleAxis(src: Uint8Array, w: number, h: number, outSize: number, horizontal: boolean): Uint8Array {
  const c = coefficients(horizontal ? w : h, outSize);
  const outW = horizontal ? outSize : w;
  const outH = horizontal ? h : outSize;
  const out = new Uint8Array(outW * outH * 3);
  // Distance in bytes between neighbouring taps along the resampled axis.
  const step = horizontal ? 3 : w * 3;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const o = horizontal ? x : y;
      const base = horizontal ? (y * w + c.start[o]) * 3 : (c.start[o] * w + x) * 3;
      const k = o * c.ksize;
      const n = c.count[o];
      for (let ch = 0; ch < 3; ch++) {
        // Integer sums stay below 2^53: 255 · 2^22 · taps is ~1e9 per tap set.
        let s = 1 << (PRECISION_BITS - 1);
        for (let i = 0; i < n; i++) s += src[base + i * step + ch] * c.weights[k + i];
        out[(y * outW + x) * 3 + ch] = clip8(s);
      }
    }
  }
  return out;
}
