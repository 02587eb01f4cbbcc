/**
 * Transformation robustness (Lucid): each step the image is jittered, scaled and rotated at random
 * before the model sees it, so the optimum is a pattern the unit responds to wherever and at
 * whatever size it appears, not an adversarial pixel pattern.
 *
 * Done here as JS resampling, not as ops in the ONNX graph: one affine map per image and step,
 * bilinear sampling with a constant grey (0.5) outside the image — Lucid's constant pad — and its
 * exact adjoint (each sample's gradient scattered back onto its four source pixels). That keeps the
 * gradient model the plain d(target)/d(input) one (no GridSample, which would need a backward
 * rule and onnxruntime-web support), costs O(H·W) per image, and a new random transform each step
 * needs no new session.
 */
import type { Rng } from '../synth/rng';

/** Output pixel centre p ↦ source point A·(p − c) + c + t (pixel units, c the image centre). */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  tx: number;
  ty: number;
}

export interface Robustness {
  /** Largest shift, in pixels. */
  jitter: number;
  /** Scale range [lo, hi]. */
  scale: [number, number];
  /** Largest rotation, in degrees. */
  rotate: number;
}

/** Lucid's transforms (pad 12, jitter 8, scale ±5%, rotate ±10°, jitter 4 at 224 px) scaled to the image. */
export function robustnessFor(size: number): Robustness {
  return { jitter: Math.max(1, Math.round((size * 8) / 224)), scale: [0.95, 1.05], rotate: 10 };
}

export const IDENTITY: Affine = { a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0 };

export function randomAffine(rng: Rng, r: Robustness): Affine {
  const s = rng.range(r.scale[0], r.scale[1]);
  const th = (rng.range(-r.rotate, r.rotate) * Math.PI) / 180;
  const cos = Math.cos(th) / s;
  const sin = Math.sin(th) / s;
  return { a: cos, b: -sin, c: sin, d: cos, tx: rng.range(-r.jitter, r.jitter), ty: rng.range(-r.jitter, r.jitter) };
}

const FILL = 0.5;

/**
 * Visits the four bilinear taps of every output pixel under the affine map: `pixel` is the output
 * offset in a plane, `at` the source offset (−1 outside the image), `w` the tap's weight.
 */
function forEachTap(H: number, W: number, A: Affine, visit: (pixel: number, at: number, w: number) => void): void {
  const cx = (W - 1) / 2;
  const cy = (H - 1) / 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const u = A.a * (x - cx) + A.b * (y - cy) + cx + A.tx;
      const v = A.c * (x - cx) + A.d * (y - cy) + cy + A.ty;
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const fx = u - x0;
      const fy = v - y0;
      for (let k = 0; k < 4; k++) {
        const xk = x0 + (k & 1);
        const yk = y0 + (k >> 1);
        const inside = xk >= 0 && xk < W && yk >= 0 && yk < H;
        visit(y * W + x, inside ? yk * W + xk : -1, (k & 1 ? fx : 1 - fx) * (k >> 1 ? fy : 1 - fy));
      }
    }
  }
}

/** Resamples `planes` [C,H,W] planes from src (at s0) into out (at o0) through the affine map. */
export function warp(src: Float32Array, s0: number, out: Float32Array, o0: number, planes: number, H: number, W: number, A: Affine): void {
  const plane = H * W;
  out.fill(0, o0, o0 + planes * plane);
  forEachTap(H, W, A, (pixel, at, w) => {
    for (let ch = 0; ch < planes; ch++) out[o0 + ch * plane + pixel] += w * (at < 0 ? FILL : src[s0 + ch * plane + at]);
  });
}

/** The adjoint of `warp` (the fill is constant: no gradient): g (at g0) → gsrc (at s0), added. */
export function warpAdjoint(g: Float32Array, g0: number, gsrc: Float32Array, s0: number, planes: number, H: number, W: number, A: Affine): void {
  const plane = H * W;
  forEachTap(H, W, A, (pixel, at, w) => {
    if (at < 0) return;
    for (let ch = 0; ch < planes; ch++) gsrc[s0 + ch * plane + at] += w * g[g0 + ch * plane + pixel];
  });
}
