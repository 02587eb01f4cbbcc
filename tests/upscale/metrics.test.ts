import { describe, expect, it } from 'vitest';
import { lumaY, psnrY, ssimY } from '../../src/engine/upscale/metrics';
import type { RawImage } from '../../src/engine/types';
import { fixtureImage, loadReferences } from './references';

/** A deterministic textured RGB image, values kept inside [40, 200] so offsets never clip. */
function texture(width: number, height: number, seed = 1): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = 40 + Math.floor(80 * (1 + Math.sin(i * 0.37 * seed + (i % 7) * 1.3)));
  return { width, height, channels: 3, data };
}

function offset(img: RawImage, d: number): RawImage {
  return { ...img, data: img.data.map((v) => v + d) };
}

function flat(width: number, height: number, v: number): RawImage {
  return { width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(v) };
}

describe('metrics against the numpy reference on real photos', () => {
  const refs = loadReferences();
  it.each(refs.metrics.map((m) => [`${m.a} vs ${m.b}, border ${m.border}`, m] as const))('%s', (_, m) => {
    const a = fixtureImage(m.a);
    const b = fixtureImage(m.b);
    expect(psnrY(a, b, m.border)).toBeCloseTo(m.psnr, 9);
    expect(ssimY(a, b, m.border)).toBeCloseTo(m.ssim, 9);
  });

  it('the references span easy and hard pairs (so agreement means something)', () => {
    const psnrs = refs.metrics.map((m) => m.psnr);
    expect(Math.min(...psnrs)).toBeLessThan(15);
    expect(Math.max(...psnrs)).toBeGreaterThan(30);
    // Border cropping changes the value: the crop is applied, not ignored.
    const pair = refs.metrics.filter((m) => m.a === 'photo0_hr.png' && m.b === 'photo0_up.png');
    expect(pair.map((m) => m.border).sort()).toEqual([0, 3]);
    expect(pair[0].psnr).not.toBeCloseTo(pair[1].psnr, 3);
  });
});

describe('analytic checks', () => {
  it('identical images: PSNR inf, SSIM 1', () => {
    const img = texture(40, 30);
    expect(psnrY(img, img)).toBe(Infinity);
    expect(ssimY(img, img)).toBeCloseTo(1, 12);
  });

  it('RGBA and RGB of the same pixels score the same (alpha ignored)', () => {
    const rgb = texture(30, 30);
    const rgba: RawImage = { width: 30, height: 30, channels: 4, data: new Uint8Array(30 * 30 * 4) };
    for (let i = 0; i < 900; i++) {
      rgba.data.set(rgb.data.subarray(i * 3, i * 3 + 3), i * 4);
      rgba.data[i * 4 + 3] = i % 256;
    }
    const other = texture(30, 30, 2);
    expect(psnrY(rgba, other)).toBe(psnrY(rgb, other));
    expect(ssimY(rgba, other)).toBe(ssimY(rgb, other));
  });

  it('a grey offset of k in R, G and B shifts Y by 219k/255: PSNR = 20 log10(255 / (219k/255))', () => {
    const img = texture(48, 36);
    for (const k of [1, 5, 17]) {
      const dy = (219 * k) / 255;
      expect(psnrY(img, offset(img, k))).toBeCloseTo(20 * Math.log10(255 / dy), 9);
    }
  });

  it('Y of white is 235 and of black is 16 (BT.601 studio range)', () => {
    expect(lumaY(flat(1, 1, 255)).y[0]).toBeCloseTo(235, 12);
    expect(lumaY(flat(1, 1, 0)).y[0]).toBeCloseTo(16, 12);
  });

  it('flat images: SSIM = (2 mx my + C1) / (mx² + my² + C1), the luminance term alone', () => {
    const [ya, yb] = [lumaY(flat(1, 1, 100)).y[0], lumaY(flat(1, 1, 140)).y[0]];
    const c1 = (0.01 * 255) ** 2;
    expect(ssimY(flat(20, 20, 100), flat(20, 20, 140))).toBeCloseTo((2 * ya * yb + c1) / (ya * ya + yb * yb + c1), 9);
  });

  it('only pixels inside the border count', () => {
    const a = texture(30, 30);
    const b = { ...a, data: a.data.slice() };
    b.data.fill(0, 0, 30 * 3 * 2); // ruin the top two rows
    expect(psnrY(a, b, 2)).toBe(Infinity);
    expect(psnrY(a, b, 1)).toBeLessThan(40);
    expect(ssimY(a, b, 2)).toBeCloseTo(1, 12);
  });

  it('refuses mismatched sizes and images too small for the SSIM window', () => {
    expect(() => psnrY(texture(10, 10), texture(10, 11))).toThrow(/differ in size/);
    expect(() => ssimY(texture(16, 16), texture(16, 16), 3)).toThrow(/11×11/);
  });
});
