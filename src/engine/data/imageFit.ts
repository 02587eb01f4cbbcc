/**
 * Fitting a decoded image to the model's input size: "stretch" (resize both sides), "center-crop"
 * (the largest centred region of the target's aspect, then resize) or "pad" (resize to fit inside,
 * centred on black). The resampler is the engine's one bilinear (bilinear.ts), so a folder indexed
 * in the tab and by the CLI sees the same pixels for lossless formats.
 */
import type { RawImage } from '../types';
import { resizeBilinear } from './bilinear';

export const FIT_MODES = ['stretch', 'center-crop', 'pad'] as const;
export type FitMode = (typeof FIT_MODES)[number];

export function isFitMode(v: unknown): v is FitMode {
  return typeof v === 'string' && (FIT_MODES as readonly string[]).includes(v);
}

/** Bilinear resize of the [x0, x0+w) × [y0, y0+h) region of `img` to W×H RGB bytes. */
function resizeRegion(img: RawImage, x0: number, y0: number, w: number, h: number, W: number, H: number): Uint8Array {
  const c = img.channels;
  let src: ArrayLike<number> = img.data;
  if (x0 !== 0 || y0 !== 0 || w !== img.width || h !== img.height) {
    const crop = new Uint8Array(w * h * c);
    for (let y = 0; y < h; y++) crop.set(img.data.subarray(((y0 + y) * img.width + x0) * c, ((y0 + y) * img.width + x0 + w) * c), y * w * c);
    src = crop;
  }
  const out = new Uint8Array(W * H * 3);
  if (w === W && h === H) {
    for (let p = 0; p < W * H; p++) for (let ch = 0; ch < 3; ch++) out[p * 3 + ch] = src[p * c + ch];
    return out;
  }
  const f = resizeBilinear(src, w, h, c, 3, W, H);
  for (let i = 0; i < f.length; i++) out[i] = Math.round(f[i]);
  return out;
}

/** The image fitted to W×H, RGB (alpha dropped). */
export function fitImage(img: RawImage, W: number, H: number, mode: FitMode): RawImage {
  if (img.width < 1 || img.height < 1) throw new Error('The image has no pixels.');
  const { width: w, height: h } = img;
  if (mode === 'stretch') return { width: W, height: H, channels: 3, data: resizeRegion(img, 0, 0, w, h, W, H) };
  if (mode === 'center-crop') {
    // The largest region of aspect W/H inside the image, centred.
    const cw = Math.min(w, Math.max(1, Math.round((h * W) / H)));
    const ch = Math.min(h, Math.max(1, Math.round((w * H) / W)));
    return { width: W, height: H, channels: 3, data: resizeRegion(img, Math.floor((w - cw) / 2), Math.floor((h - ch) / 2), cw, ch, W, H) };
  }
  // pad: the whole image scaled to fit inside, centred; the rest black.
  const scale = Math.min(W / w, H / h);
  const iw = Math.min(W, Math.max(1, Math.round(w * scale)));
  const ih = Math.min(H, Math.max(1, Math.round(h * scale)));
  const inner = resizeRegion(img, 0, 0, w, h, iw, ih);
  const out = new Uint8Array(W * H * 3);
  const ox = Math.floor((W - iw) / 2);
  const oy = Math.floor((H - ih) / 2);
  for (let y = 0; y < ih; y++) out.set(inner.subarray(y * iw * 3, (y + 1) * iw * 3), ((oy + y) * W + ox) * 3);
  return { width: W, height: H, channels: 3, data: out };
}
