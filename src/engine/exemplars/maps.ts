/**
 * Activation maps for people: bilinear upsampling of a unit's [h,w] map to the image's size, a
 * heat colour scale, a heatmap overlay, and MAIA's masked exemplar (pixels outside the region
 * where the map exceeds a threshold dimmed to 25%). Plain arrays in, RGBA bytes out: no DOM.
 */
import type { RawImage } from '../types';
import { resizeBilinear } from '../data/bilinear';

/**
 * Bilinear resize of a [h,w] map to [H,W] with half-pixel centres (torch's
 * interpolate(mode='bilinear', align_corners=False)), clamped at the edges.
 */
export function upsampleBilinear(map: ArrayLike<number>, h: number, w: number, H: number, W: number): Float32Array {
  if (map.length !== h * w) throw new Error(`A ${h}×${w} map needs ${h * w} values, got ${map.length}.`);
  return resizeBilinear(map, w, h, 1, 1, W, H);
}

/** Bilinear resize of an image to W×H RGB (half-pixel centres, as the model's preprocessing). */
export function resizeImage(image: RawImage, W: number, H: number): RawImage {
  const { width: w, height: h, channels: c, data } = image;
  if (w === W && h === H && c === 3) return image;
  const resized = resizeBilinear(data, w, h, c, 3, W, H);
  const out = new Uint8Array(resized.length);
  for (let i = 0; i < resized.length; i++) out[i] = Math.round(resized[i]);
  return { width: W, height: H, channels: 3, data: out };
}

/** Smallest and largest value (NaN skipped; {0,0} when there is none). */
export function mapRange(map: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
}

/**
 * Where the mask threshold comes from: a fraction of this image's map maximum (MAIA-style, per
 * image), or a fixed activation value (e.g. a fraction of the unit's best exemplar, the same for
 * every image).
 */
export type ThresholdRule = { mode: 'relative'; fraction: number } | { mode: 'absolute'; value: number };

export const DEFAULT_THRESHOLD: ThresholdRule = { mode: 'relative', fraction: 0.5 };

/** The threshold a rule gives for one map (whose maximum is `mapMax`). */
export function thresholdFor(rule: ThresholdRule, mapMax: number): number {
  return rule.mode === 'relative' ? rule.fraction * mapMax : rule.value;
}

/** Pixels of the map strictly above the threshold (a 0/1 mask). */
export function regionMask(map: ArrayLike<number>, threshold: number): Uint8Array {
  const out = new Uint8Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = map[i] > threshold ? 1 : 0;
  return out;
}

/** Share of pixels in the region. */
export function regionFraction(mask: Uint8Array): number {
  let n = 0;
  for (const v of mask) n += v;
  return mask.length ? n / mask.length : 0;
}

/** Heat colour stops (black → purple → red → orange → pale yellow), as in inferno. */
const STOPS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 4],
  [87, 16, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
];

/** The heat colour of t in [0,1] (clamped), RGB bytes. */
export function heatColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isNaN(t) ? 0 : t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

function checkSize(image: RawImage, map: ArrayLike<number>): void {
  if (map.length !== image.width * image.height) {
    throw new Error(`The map has ${map.length} values; a ${image.width}×${image.height} image needs one per pixel (upsample it first).`);
  }
}

/**
 * The image with the map blended on top as heat colours: value lo → transparent-ish dark,
 * hi → bright; `alpha` is the map's weight at full heat (it grows with the value).
 */
export function overlayHeatmap(
  image: RawImage,
  map: ArrayLike<number>,
  { lo, hi, alpha = 0.65 }: { lo: number; hi: number; alpha?: number },
): Uint8ClampedArray<ArrayBuffer> {
  checkSize(image, map);
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(n * 4);
  const span = hi > lo ? hi - lo : 1;
  for (let p = 0; p < n; p++) {
    const t = Math.min(1, Math.max(0, (map[p] - lo) / span));
    const [r, g, b] = heatColor(t);
    const a = alpha * (0.35 + 0.65 * t);
    const s = p * image.channels;
    out[p * 4] = image.data[s] * (1 - a) + r * a;
    out[p * 4 + 1] = image.data[s + 1] * (1 - a) + g * a;
    out[p * 4 + 2] = image.data[s + 2] * (1 - a) + b * a;
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** The map alone as heat colours (lo..hi), RGBA. */
export function heatmapRgba(map: ArrayLike<number>, lo: number, hi: number): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(map.length * 4);
  const span = hi > lo ? hi - lo : 1;
  for (let p = 0; p < map.length; p++) {
    const [r, g, b] = heatColor((map[p] - lo) / span);
    out.set([r, g, b, 255], p * 4);
  }
  return out;
}

/** MAIA's masked exemplar: pixels outside the region (map ≤ threshold) scaled by `dim` (0.25). */
export function maskImage(image: RawImage, map: ArrayLike<number>, threshold: number, dim = 0.25): Uint8ClampedArray<ArrayBuffer> {
  checkSize(image, map);
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    const k = map[p] > threshold ? 1 : dim;
    const s = p * image.channels;
    out[p * 4] = image.data[s] * k;
    out[p * 4 + 1] = image.data[s + 1] * k;
    out[p * 4 + 2] = image.data[s + 2] * k;
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** RGBA bytes of an RGB(A) image, unchanged. */
export function imageRgba(image: RawImage): Uint8ClampedArray<ArrayBuffer> {
  const n = image.width * image.height;
  const out = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    const s = p * image.channels;
    out[p * 4] = image.data[s];
    out[p * 4 + 1] = image.data[s + 1];
    out[p * 4 + 2] = image.data[s + 2];
    out[p * 4 + 3] = 255;
  }
  return out;
}
