/**
 * Colour decorrelation and the squash to valid pixels (Lucid's to_valid_rgb): the Fourier image's
 * three channels are coordinates in a decorrelated colour basis (the square root of ImageNet's
 * colour covariance, from Lucid), mapped to RGB by that matrix, then a sigmoid gives [0,1].
 * Both steps are pointwise per pixel, so their gradients are too.
 */

/** Lucid's color_correlation_svd_sqrt. */
const SVD_SQRT = [
  [0.26, 0.09, 0.02],
  [0.27, 0.0, -0.05],
  [0.27, -0.09, 0.03],
];
const MAX_NORM = Math.max(...[0, 1, 2].map((j) => Math.hypot(SVD_SQRT[0][j], SVD_SQRT[1][j], SVD_SQRT[2][j])));
/** rgb_c = Σ_d COLOR[c][d] · t_d (Lucid's color_correlation_normalized). */
export const COLOR: ReadonlyArray<readonly number[]> = SVD_SQRT.map((row) => row.map((v) => v / MAX_NORM));

/**
 * Decorrelated planes t ([3,H,W] at t0) → pixels in [0,1] ([3,H,W] at o0).
 */
export function toRgb(t: Float32Array, t0: number, plane: number, out: Float32Array, o0: number): void {
  for (let p = 0; p < plane; p++) {
    const a = t[t0 + p];
    const b = t[t0 + plane + p];
    const c = t[t0 + 2 * plane + p];
    for (let ch = 0; ch < 3; ch++) {
      const m = COLOR[ch];
      out[o0 + ch * plane + p] = 1 / (1 + Math.exp(-(m[0] * a + m[1] * b + m[2] * c)));
    }
  }
}

/**
 * Gradient through toRgb: d/dpixels (g at g0) and the pixels it produced (rgb at o0) →
 * d/dt, written to gt at t0.
 */
export function toRgbAdjoint(rgb: Float32Array, o0: number, g: Float32Array, g0: number, plane: number, gt: Float32Array, t0: number): void {
  for (let p = 0; p < plane; p++) {
    let a = 0;
    let b = 0;
    let c = 0;
    for (let ch = 0; ch < 3; ch++) {
      const s = rgb[o0 + ch * plane + p];
      const d = g[g0 + ch * plane + p] * s * (1 - s);
      const m = COLOR[ch];
      a += m[0] * d;
      b += m[1] * d;
      c += m[2] * d;
    }
    gt[t0 + p] = a;
    gt[t0 + plane + p] = b;
    gt[t0 + 2 * plane + p] = c;
  }
}
