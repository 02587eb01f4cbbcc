/**
 * Pixels to model input: bilinear resize (half-pixel centres, as torch's
 * interpolate(align_corners=False)), RGB/255, per-channel mean/std, NCHW float32.
 */
import type { Preprocess, RawImage, TensorF32 } from '../types';
import { resizeBilinear } from './bilinear';

export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/** Writes one image into `out` at `offset` (3·H·W floats, planar), resized and normalised. */
function writeImage(img: RawImage, p: Preprocess, out: Float32Array, offset: number): void {
  const [H, W] = p.size;
  const plane = H * W;
  const same = img.width === W && img.height === H;
  const hwc = same ? img.data : resizeBilinear(img.data, img.width, img.height, img.channels, 3, W, H);
  const stride = same ? img.channels : 3;
  for (let ch = 0; ch < 3; ch++) {
    const scale = 1 / (255 * p.std[ch]);
    const shift = p.mean[ch] / p.std[ch];
    const base = offset + ch * plane;
    for (let i = 0; i < plane; i++) out[base + i] = hwc[i * stride + ch] * scale - shift;
  }
}

/** A batch of images as one [N,3,H,W] tensor. */
export function imagesToTensor(images: RawImage[], p: Preprocess): TensorF32 {
  const [H, W] = p.size;
  const per = 3 * H * W;
  const data = new Float32Array(images.length * per);
  images.forEach((img, i) => {
    if (img.width < 1 || img.height < 1) throw new Error('An image has no pixels.');
    writeImage(img, p, data, i * per);
  });
  return { dims: [images.length, 3, H, W], data };
}

/** Reads `lab.preprocess` metadata if valid, else the ImageNet convention at the input size. */
export function preprocessFor(meta: Record<string, string>, inputSize: [number | null, number | null]): Preprocess {
  const fallbackSize: [number, number] = [inputSize[0] ?? 224, inputSize[1] ?? 224];
  const raw = meta['lab.preprocess'];
  if (raw) {
    try {
      const v = JSON.parse(raw) as Partial<Preprocess>;
      const triple = (t: unknown): t is [number, number, number] =>
        Array.isArray(t) && t.length === 3 && t.every((x) => typeof x === 'number' && Number.isFinite(x));
      const size = Array.isArray(v.size) && v.size.length === 2 && v.size.every((s) => Number.isInteger(s) && s > 0);
      if (triple(v.mean) && triple(v.std) && v.std.every((s) => s > 0)) {
        return { size: size ? (v.size as [number, number]) : fallbackSize, mean: v.mean, std: v.std, source: 'metadata' };
      }
    } catch {
      // Invalid metadata: fall through to the convention.
    }
  }
  return { size: fallbackSize, mean: IMAGENET_MEAN, std: IMAGENET_STD, source: 'imagenet-default' };
}
