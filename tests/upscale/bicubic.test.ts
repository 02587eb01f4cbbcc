import { describe, expect, it } from 'vitest';
import { resizeBicubic } from '../../src/engine/upscale/bicubic';
import { resizeBilinear } from '../../src/engine/data/bilinear';
import type { RawImage } from '../../src/engine/types';
import { fixtureImage, loadReferences } from './references';

function rgb(img: RawImage): Uint8Array {
  if (img.channels === 3) return Uint8Array.from(img.data);
  return Uint8Array.from({ length: img.width * img.height * 3 }, (_, i) => img.data[Math.floor(i / 3) * 4 + (i % 3)]);
}

function diff(a: Uint8Array, b: Uint8Array): { max: number; mean: number; exact: number } {
  let max = 0;
  let sum = 0;
  let exact = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    max = Math.max(max, d);
    sum += d;
    if (d === 0) exact++;
  }
  return { max, mean: sum / a.length, exact: exact / a.length };
}

describe('resizeBicubic agrees with Pillow Image.resize(BICUBIC) on real photos', () => {
  const refs = loadReferences();
  it.each(refs.resizes.map((r) => [`${r.input} -> ${r.size.join('×')}`, r] as const))('%s', (_, r) => {
    const input = fixtureImage(r.input);
    const expected = fixtureImage(r.output);
    const out = resizeBicubic(input, r.size[0], r.size[1]);
    expect([out.width, out.height, out.channels]).toEqual([expected.width, expected.height, 3]);
    const d = diff(out.data as Uint8Array, rgb(expected));
    expect(d.max).toBeLessThanOrEqual(1);
    expect(d.mean).toBeLessThan(0.01);
    // Not a lucky tolerance: Pillow's fixed-point arithmetic is reproduced, so nearly every byte is equal.
    expect(d.exact).toBeGreaterThan(0.999);
  });

  it('3x down antialiases: one-pixel stripes average to grey (point sampling would keep 0/255)', () => {
    const w = 60;
    const stripes: RawImage = { width: w, height: 6, channels: 3, data: Uint8Array.from({ length: w * 6 * 3 }, (_, i) => (Math.floor(i / 3) % 2 ? 255 : 0)) };
    const inner = Array.from(resizeBicubic(stripes, w / 3, 2).data).slice(6, -6);
    for (const v of inner) expect(Math.abs(v - 127.5)).toBeLessThan(50);
    const naive = resizeBilinear(stripes.data, w, 6, 3, 3, w / 3, 2);
    expect(Math.max(...Array.from(naive, (v) => Math.abs(v - 127.5)))).toBe(127.5);
  });
});

describe('resizeBicubic edge cases', () => {
  it('same size is the identity, and a flat image stays flat', () => {
    const img: RawImage = { width: 7, height: 5, channels: 3, data: Uint8Array.from({ length: 105 }, (_, i) => (i * 37) % 256) };
    expect(Array.from(resizeBicubic(img, 7, 5).data)).toEqual(Array.from(img.data));
    const flat: RawImage = { width: 9, height: 6, channels: 4, data: new Uint8Array(9 * 6 * 4).fill(173) };
    const out = resizeBicubic(flat, 27, 2);
    expect(new Set(out.data)).toEqual(new Set([173]));
  });

  it('clamps overshoot at hard edges to 0..255', () => {
    const w = 8;
    const img: RawImage = { width: w, height: 1, channels: 3, data: Uint8Array.from({ length: w * 3 }, (_, i) => (Math.floor(i / 3) < 4 ? 0 : 255)) };
    const out = resizeBicubic(img, 24, 1).data;
    expect(Math.min(...out)).toBe(0);
    expect(Math.max(...out)).toBe(255);
  });

  it('refuses sizes that are not positive integers', () => {
    const img: RawImage = { width: 2, height: 2, channels: 3, data: new Uint8Array(12) };
    expect(() => resizeBicubic(img, 0, 2)).toThrow(/Cannot resize/);
    expect(() => resizeBicubic(img, 2.5, 2)).toThrow(/Cannot resize/);
  });
});
