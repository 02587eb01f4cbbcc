/**
 * The linear and pointwise pieces of feature visualisation have exact gradients: the Fourier
 * basis and the warp are checked against their adjoints (⟨Lp, g⟩ = ⟨p, Lᵀg⟩), the colour/sigmoid
 * step against finite differences; the basis gives 1/f images (low frequencies dominate).
 */
import { describe, expect, it } from 'vitest';
import { COLOR, FourierBasis, IDENTITY, randomAffine, robustnessFor, toRgb, toRgbAdjoint, warp, warpAdjoint } from '../../src/engine/featvis';
import { Rng } from '../../src/engine/synth/rng';

const rand = (n: number, seed: number) => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.normal());
};
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('Fourier basis', () => {
  it.each([[12, 10], [9, 16], [64, 64]])('%i×%i: the adjoint is the transpose', (H, W) => {
    const basis = new FourierBasis(H, W);
    const p = rand(basis.perChannel, 1);
    const g = rand(H * W, 2);
    const img = new Float32Array(H * W);
    basis.image(p, 0, img, 0);
    const back = new Float32Array(basis.perChannel);
    basis.adjoint(g, 0, back, 0);
    const lhs = dot(img, g);
    expect(Math.abs(lhs - dot(p, back)) / Math.abs(lhs)).toBeLessThan(1e-4);
    // Offsets address the right slices, and the adjoint adds to what is there.
    const twice = new Float32Array(2 * basis.perChannel);
    basis.adjoint(g, 0, twice, basis.perChannel);
    basis.adjoint(g, 0, twice, basis.perChannel);
    expect(twice.slice(0, basis.perChannel).every((v) => v === 0)).toBe(true);
    expect(twice[basis.perChannel + 5]).toBeCloseTo(2 * back[5], 4);
  });

  it('white-noise coefficients give a 1/f image: neighbouring pixels are strongly correlated', () => {
    const basis = new FourierBasis(64, 64);
    const img = new Float32Array(64 * 64);
    basis.image(rand(basis.perChannel, 3), 0, img, 0);
    let num = 0;
    let den = 0;
    const mean = img.reduce((s, v) => s + v, 0) / img.length;
    for (let y = 0; y < 64; y++) for (let x = 0; x < 63; x++) {
      num += (img[y * 64 + x] - mean) * (img[y * 64 + x + 1] - mean);
      den += (img[y * 64 + x] - mean) ** 2;
    }
    expect(num / den).toBeGreaterThan(0.8);
  });
});

describe('colour decorrelation + sigmoid', () => {
  it('matches finite differences', () => {
    const plane = 5;
    const t = rand(3 * plane, 4);
    const g = rand(3 * plane, 5);
    const rgb = new Float32Array(3 * plane);
    toRgb(t, 0, plane, rgb, 0);
    expect(rgb.every((v) => v > 0 && v < 1)).toBe(true);
    const gt = new Float32Array(3 * plane);
    toRgbAdjoint(rgb, 0, g, 0, plane, gt, 0);
    const f = (tt: Float32Array) => {
      const o = new Float32Array(3 * plane);
      toRgb(tt, 0, plane, o, 0);
      return dot(Float32Array.from(o, (v) => v), g);
    };
    for (const i of [0, 6, 14]) {
      const h = 1e-2;
      const up = t.slice();
      const dn = t.slice();
      up[i] += h;
      dn[i] -= h;
      expect(gt[i]).toBeCloseTo((f(up) - f(dn)) / (2 * h), 3);
    }
    // The matrix's largest column has unit norm (Lucid's normalisation).
    const norms = [0, 1, 2].map((j) => Math.hypot(COLOR[0][j], COLOR[1][j], COLOR[2][j]));
    expect(Math.max(...norms)).toBeCloseTo(1, 6);
  });
});

describe('robustness warp', () => {
  it('the identity copies; random transforms have exact adjoints', () => {
    const H = 20;
    const W = 24;
    const src = rand(3 * H * W, 6).map((v) => 1 / (1 + Math.exp(-v)));
    const out = new Float32Array(src.length);
    warp(src, 0, out, 0, 3, H, W, IDENTITY);
    expect(out).toEqual(src);
    const rng = new Rng(7);
    for (let k = 0; k < 5; k++) {
      const A = randomAffine(rng, { jitter: 3, scale: [0.8, 1.2], rotate: 30 });
      // The fill (0.5 outside) is constant: test the linear part on a zero-mean image.
      const zero = new Float32Array(src.length);
      const fillOnly = new Float32Array(src.length);
      warp(zero, 0, fillOnly, 0, 3, H, W, A);
      warp(src, 0, out, 0, 3, H, W, A);
      const linear = out.map((v, i) => v - fillOnly[i]);
      const g = rand(src.length, 10 + k);
      const back = new Float32Array(src.length);
      warpAdjoint(g, 0, back, 0, 3, H, W, A);
      expect(Math.abs(dot(linear, g) - dot(src, back))).toBeLessThan(1e-3 * Math.abs(dot(linear, g)) + 1e-4);
    }
  });

  it('transform ranges scale with the image (Lucid: jitter 8 px at 224)', () => {
    expect(robustnessFor(224).jitter).toBe(8);
    expect(robustnessFor(64).jitter).toBe(2);
  });
});
