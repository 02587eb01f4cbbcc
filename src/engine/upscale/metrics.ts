/**
 * Image-quality metrics of the super-resolution literature, on the luma channel:
 * Y of BT.601 YCbCr as MATLAB's rgb2ycbcr (Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255 with
 * RGB in [0, 1], so Y is in [16, 235] on the 0–255 scale), kept as floats (not rounded, as in
 * BasicSR's `calculate_psnr/ssim(..., test_y_channel=True)`), with `border` pixels cropped on
 * every side (the SR convention: border = scale).
 * SSIM is Wang et al. 2004: 11×11 Gaussian window (σ = 1.5), K1 = 0.01, K2 = 0.03, L = 255,
 * statistics over 'valid' windows only (no padding), averaged over the map.
 */
import { LabError } from '../errors';
import type { RawImage } from '../types';

const L = 255;
const C1 = (0.01 * L) ** 2;
const C2 = (0.03 * L) ** 2;
const WINDOW = 11;
const SIGMA = 1.5;

/** PSNR in dB of the Y channel; `Infinity` for identical images. */
export function psnrY(a: RawImage, b: RawImage, border = 3): number {
  const { ya, yb } = lumaPair(a, b, border);
  let sum = 0;
  for (let i = 0; i < ya.length; i++) {
    const d = ya[i] - yb[i];
    sum += d * d;
  }
  const mse = sum / ya.length;
  return mse === 0 ? Infinity : 10 * Math.log10((L * L) / mse);
}

/** Mean SSIM of the Y channel (1 for identical images). */
export function ssimY(a: RawImage, b: RawImage, border = 3): number {
  const { ya, yb, width, height } = lumaPair(a, b, border);
  if (width < WINDOW || height < WINDOW) {
    throw new LabError('bad-request', `SSIM needs at least ${WINDOW}×${WINDOW} pixels after cropping, got ${width}×${height}.`);
  }
  const xy = new Float64Array(ya.length);
  const xx = new Float64Array(ya.length);
  const yy = new Float64Array(ya.length);
  for (let i = 0; i < ya.length; i++) {
    xx[i] = ya[i] * ya[i];
    yy[i] = yb[i] * yb[i];
    xy[i] = ya[i] * yb[i];
  }
  const k = gaussianKernel();
  const mx = filterValid(ya, width, height, k);
  const my = filterValid(yb, width, height, k);
  const sxx = filterValid(xx, width, height, k);
  const syy = filterValid(yy, width, height, k);
  const sxy = filterValid(xy, width, height, k);
  let total = 0;
  for (let i = 0; i < mx.length; i++) {
    const mux = mx[i];
    const muy = my[i];
    const varX = sxx[i] - mux * mux;
    const varY = syy[i] - muy * muy;
    const cov = sxy[i] - mux * muy;
    total += ((2 * mux * muy + C1) * (2 * cov + C2)) / ((mux * mux + muy * muy + C1) * (varX + varY + C2));
  }
  return total / mx.length;
}

/** Y (0–255 scale, float) of an RGB(A) image, `border` pixels cropped on each side. */
export function lumaY(img: RawImage, border = 0): { y: Float64Array; width: number; height: number } {
  const width = img.width - 2 * border;
  const height = img.height - 2 * border;
  if (width <= 0 || height <= 0) {
    throw new LabError('bad-request', `A border of ${border} leaves nothing of a ${img.width}×${img.height} image.`);
  }
  const y = new Float64Array(width * height);
  const c = img.channels;
  for (let r = 0; r < height; r++) {
    for (let x = 0; x < width; x++) {
      const s = ((r + border) * img.width + x + border) * c;
      y[r * width + x] = 16 + (65.481 * img.data[s] + 128.553 * img.data[s + 1] + 24.966 * img.data[s + 2]) / 255;
    }
  }
  return { y, width, height };
}

function lumaPair(a: RawImage, b: RawImage, border: number) {
  if (a.width !== b.width || a.height !== b.height) {
    throw new LabError('bad-request', `Images differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height}.`);
  }
  const la = lumaY(a, border);
  return { ya: la.y, yb: lumaY(b, border).y, width: la.width, height: la.height };
}

/** Normalized 1-D Gaussian; the 2-D window is its outer product (as fspecial / cv2.getGaussianKernel). */
function gaussianKernel(): Float64Array {
  const k = new Float64Array(WINDOW);
  const half = (WINDOW - 1) / 2;
  let sum = 0;
  for (let i = 0; i < WINDOW; i++) {
    k[i] = Math.exp(-((i - half) ** 2) / (2 * SIGMA * SIGMA));
    sum += k[i];
  }
  for (let i = 0; i < WINDOW; i++) k[i] /= sum;
  return k;
}

/** Separable 2-D correlation keeping only windows that fit inside the image. */
function filterValid(src: Float64Array, width: number, height: number, k: Float64Array): Float64Array {
  const n = k.length;
  const ow = width - n + 1;
  const oh = height - n + 1;
  const rows = new Float64Array(ow * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      const base = y * width + x;
      for (let i = 0; i < n; i++) s += k[i] * src[base + i];
      rows[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += k[i] * rows[(y + i) * ow + x];
      out[y * ow + x] = s;
    }
  }
  return out;
}
