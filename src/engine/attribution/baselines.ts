/**
 * Integrated-gradients baselines in the model's input space: a black image (pixels 0 through the
 * model's normalisation) or the image itself blurred (a Gaussian per channel plane; blurring
 * commutes with the per-channel normalisation because the kernel sums to 1).
 */
import { imagesToTensor } from '../data/preprocess';
import type { Preprocess, TensorF32 } from '../types';

export type BaselineKind = 'black' | 'blur';

export function blackBaseline(p: Preprocess): TensorF32 {
  const [H, W] = p.size;
  return imagesToTensor([{ width: W, height: H, channels: 3, data: new Uint8Array(W * H * 3) }], p);
}

/** Separable Gaussian blur (σ in pixels, edges clamped) of every [H,W] plane of an NCHW tensor. */
export function gaussianBlur(x: TensorF32, sigma: number): TensorF32 {
  const [N, C, H, W] = x.dims;
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] /= s;
  const out = new Float32Array(x.data.length);
  const row = new Float32Array(H * W);
  for (let p = 0; p < N * C; p++) {
    const o = p * H * W;
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        let v = 0;
        for (let i = -r; i <= r; i++) v += k[i + r] * x.data[o + y * W + Math.min(W - 1, Math.max(0, xx + i))];
        row[y * W + xx] = v;
      }
    }
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        let v = 0;
        for (let i = -r; i <= r; i++) v += k[i + r] * row[Math.min(H - 1, Math.max(0, y + i)) * W + xx];
        out[o + y * W + xx] = v;
      }
    }
  }
  return { dims: [...x.dims], data: out };
}

/** The baseline of a kind for the (normalised) input x. Blur σ: 1/8 of the image's shorter side. */
export function baselineFor(kind: BaselineKind, x: TensorF32, p: Preprocess): TensorF32 {
  return kind === 'black' ? blackBaseline(p) : gaussianBlur(x, Math.min(x.dims[2], x.dims[3]) / 8);
}
