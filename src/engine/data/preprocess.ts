/**
 * Pixels to model input: bilinear resize (half-pixel centres, as torch's
 * interpolate(align_corners=False)), RGB/255, per-channel mean/std, NCHW float32.
 */
import type { Preprocess, RawImage, TensorF32 } from '../types';

export const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/** Writes one image into `out` at `offset` (3·H·W floats), resized and normalised. */
function writeImage(img: RawImage, p: Preprocess, out: Float32Array, offset: number): void {
  const [H, W] = p.size;
  const { width: w, height: h, channels: c, data } = img;
  const sy = h / H;
  const sx = w / W;
  const plane = H * W;
  for (let y = 0; y < H; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      const i00 = (y0 * w + x0) * c;
      const i01 = (y0 * w + x1) * c;
      const i10 = (y1 * w + x0) * c;
      const i11 = (y1 * w + x1) * c;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[i00 + ch] * (1 - wx) + data[i01 + ch] * wx;
        const bottom = data[i10 + ch] * (1 - wx) + data[i11 + ch] * wx;
        const v = (top * (1 - wy) + bottom * wy) / 255;
        out[offset + ch * plane + y * W + x] = (v - p.mean[ch]) / p.std[ch];
      }
    }
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
