/**
 * The FFT (radix-2 and Bluestein) against a direct DFT, and the FFT-based Fourier basis against
 * the separable DFT it replaced, at the sizes the lab meets (64: the built-in models; 224: ImageNet
 * models; odd and mixed sizes through Bluestein), to float32 precision.
 */
import { describe, expect, it } from 'vitest';
import { FourierBasis } from '../../src/engine/featvis';
import { Fft } from '../../src/engine/featvis/fft';
import { Rng } from '../../src/engine/synth/rng';
import { DftBasis } from './dftBasis';

const rand = (n: number, seed: number) => {
  const r = new Rng(seed);
  return Float64Array.from({ length: n }, () => r.normal());
};
/** max |a − b| / max |b|. */
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
};

describe('Fft', () => {
  it.each([1, 2, 3, 5, 7, 8, 12, 64, 100, 224, 256])('length %i matches the direct DFT both ways', (n) => {
    const fft = new Fft(n);
    const xr = rand(n, n);
    const xi = rand(n, n + 1000);
    for (const sign of [1, -1] as const) {
      const er = new Float64Array(n);
      const ei = new Float64Array(n);
      for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) {
        const phi = (sign * 2 * Math.PI * ((j * k) % n)) / n;
        er[k] += xr[j] * Math.cos(phi) - xi[j] * Math.sin(phi);
        ei[k] += xr[j] * Math.sin(phi) + xi[j] * Math.cos(phi);
      }
      // At an offset inside larger arrays: the values around stay untouched.
      const re = new Float64Array(n + 4).fill(9);
      const im = new Float64Array(n + 4).fill(9);
      re.set(xr, 2);
      im.set(xi, 2);
      fft.transform(re, im, sign, 2);
      expect(relErr(re.subarray(2, 2 + n), er)).toBeLessThan(1e-12);
      expect(relErr(im.subarray(2, 2 + n), ei)).toBeLessThan(1e-12);
      expect([re[0], re[1], re[n + 2], re[n + 3], im[0], im[n + 3]]).toEqual([9, 9, 9, 9, 9, 9]);
    }
  });

  it('refuses a length that is not a positive integer', () => {
    expect(() => new Fft(0)).toThrow(RangeError);
    expect(() => new Fft(2.5)).toThrow(RangeError);
  });
});

describe('FourierBasis (FFT) against the separable DFT', () => {
  it.each([[12, 10], [9, 16], [1, 1], [64, 64], [31, 64], [224, 224]])('%i×%i: image and adjoint agree to float32 precision', (H, W) => {
    const fft = new FourierBasis(H, W);
    const dft = new DftBasis(H, W);
    expect(fft.perChannel).toBe(dft.perChannel);
    const p = Float32Array.from(rand(fft.perChannel, 1));
    const g = Float32Array.from(rand(H * W, 2));
    const a = new Float32Array(H * W + 3);
    const b = new Float32Array(H * W + 3);
    fft.image(p, 0, a, 3);
    dft.image(p, 0, b, 3);
    expect(relErr(a, b)).toBeLessThan(1e-6);
    const ga = new Float32Array(fft.perChannel).fill(0.5);
    const gb = new Float32Array(fft.perChannel).fill(0.5);
    fft.adjoint(g, 0, ga, 0);
    dft.adjoint(g, 0, gb, 0);
    expect(relErr(ga, gb)).toBeLessThan(1e-6);
  });
});
