/**
 * Attributions for people: the per-pixel map (the sum over colour channels, signed, or its
 * absolute value), its colour scale, and the heatmap over the image. Signed maps use a diverging
 * scale (blue negative, white 0, red positive) symmetric around 0; absolute maps the heat scale of
 * the activation maps. The scale's end is a high percentile of |map| so one hot pixel does not
 * wash out the rest (values beyond it saturate). Plain arrays in, RGBA bytes out: no DOM.
 */
import { heatColor } from '../exemplars/maps';
import type { RawImage, TensorF32 } from '../types';

export type MapMode = 'signed' | 'absolute';

/** [1,C,H,W] attribution → [H,W] map: Σ over channels (signed) or |Σ| (absolute). */
export function pixelMap(attribution: TensorF32, mode: MapMode): TensorF32 {
  const [, C, H, W] = attribution.dims;
  const plane = H * W;
  const out = new Float32Array(plane);
  for (let c = 0; c < C; c++) for (let i = 0; i < plane; i++) out[i] += attribution.data[c * plane + i];
  if (mode === 'absolute') for (let i = 0; i < plane; i++) out[i] = Math.abs(out[i]);
  return { dims: [H, W], data: out };
}

/** The value at quantile q of |map| (the colour scale's end; > 0 unless the map is all zeros). */
export function scaleEnd(map: ArrayLike<number>, q = 0.99): number {
  const abs = Float32Array.from(map, (v) => Math.abs(v)).sort();
  if (abs.length === 0) return 0;
  return abs[Math.min(abs.length - 1, Math.floor(q * abs.length))] || abs[abs.length - 1];
}

/** The diverging colour of t in [-1, 1] (clamped): blue → white → red, RGB bytes. */
export function divergingColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(-1, Number.isNaN(t) ? 0 : t));
  const lo: [number, number, number] = [33, 102, 172];
  const hi: [number, number, number] = [178, 24, 43];
  const end = x < 0 ? lo : hi;
  const f = Math.abs(x);
  return [Math.round(255 + (end[0] - 255) * f), Math.round(255 + (end[1] - 255) * f), Math.round(255 + (end[2] - 255) * f)];
}

/** The colour of a map value at scale end `end`. */
export function attributionColor(v: number, end: number, mode: MapMode): [number, number, number] {
  const e = end > 0 ? end : 1;
  return mode === 'signed' ? divergingColor(v / e) : heatColor(v / e);
}

/** The map alone as colours, RGBA ([H,W] row-major). */
export function attributionRgba(map: ArrayLike<number>, end: number, mode: MapMode): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(map.length * 4);
  for (let p = 0; p < map.length; p++) {
    const [r, g, b] = attributionColor(map[p], end, mode);
    out[p * 4] = r;
    out[p * 4 + 1] = g;
    out[p * 4 + 2] = b;
    out[p * 4 + 3] = 255;
  }
  return out;
}

/**
 * The map over a greyscale copy of the image (so the colours read as attribution, not as the
 * image's own colours): weight grows with |value|.
 */
export function attributionOverlay(image: RawImage, map: ArrayLike<number>, end: number, mode: MapMode): Uint8ClampedArray<ArrayBuffer> {
  const n = image.width * image.height;
  if (map.length !== n) throw new Error(`The map has ${map.length} values; the ${image.width}×${image.height} image needs ${n}.`);
  const out = new Uint8ClampedArray(n * 4);
  const e = end > 0 ? end : 1;
  for (let p = 0; p < n; p++) {
    const s = p * image.channels;
    const grey = 0.299 * image.data[s] + 0.587 * image.data[s + 1] + 0.114 * image.data[s + 2];
    const [r, g, b] = attributionColor(map[p], end, mode);
    const a = 0.15 + 0.8 * Math.min(1, Math.abs(map[p]) / e);
    out[p * 4] = grey * (1 - a) + r * a;
    out[p * 4 + 1] = grey * (1 - a) + g * a;
    out[p * 4 + 2] = grey * (1 - a) + b * a;
    out[p * 4 + 3] = 255;
  }
  return out;
}
