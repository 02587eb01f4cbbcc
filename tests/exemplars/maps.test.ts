/** Activation maps for people: upsampling, heat colours, overlay and MAIA's masked exemplars. */
import { describe, expect, it } from 'vitest';
import {
  heatColor,
  imageRgba,
  mapRange,
  maskImage,
  overlayHeatmap,
  regionFraction,
  regionMask,
  resizeImage,
  thresholdFor,
  upsampleBilinear,
} from '../../src/engine/exemplars/maps';
import { imagesToTensor } from '../../src/engine/data/preprocess';
import type { RawImage } from '../../src/engine/types';

describe('upsampleBilinear', () => {
  it('keeps a constant map constant and an identity size unchanged', () => {
    expect(Array.from(upsampleBilinear([2, 2, 2, 2], 2, 2, 5, 7))).toEqual(new Array(35).fill(2));
    const m = [1, 2, 3, 4, 5, 6];
    expect(Array.from(upsampleBilinear(m, 2, 3, 2, 3))).toEqual(m);
  });

  it('matches torch interpolate(bilinear, align_corners=False) on a 2×2 → 4×4', () => {
    // torch.nn.functional.interpolate(torch.tensor([[[[0.,1.],[2.,3.]]]]), size=(4,4), mode='bilinear', align_corners=False)
    const want = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3];
    const got = Array.from(upsampleBilinear([0, 1, 2, 3], 2, 2, 4, 4));
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('agrees with the model preprocessing resize (same convention) and refuses wrong sizes', () => {
    const img: RawImage = { width: 5, height: 3, channels: 3, data: Uint8Array.from({ length: 45 }, (_, i) => (i * 37) % 256) };
    const red = Array.from({ length: 15 }, (_, p) => img.data[p * 3]);
    const up = upsampleBilinear(red, 3, 5, 8, 9);
    const t = imagesToTensor([img], { size: [8, 9], mean: [0, 0, 0], std: [1, 1, 1], source: 'override' });
    up.forEach((v, i) => expect(v / 255).toBeCloseTo(t.data[i], 5));
    expect(() => upsampleBilinear([1, 2, 3], 2, 2, 4, 4)).toThrow(/needs 4 values/);
  });
});

describe('resizeImage', () => {
  it('resizes RGBA to RGB and leaves a fitting RGB image as it is', () => {
    const rgba: RawImage = { width: 2, height: 2, channels: 4, data: new Uint8ClampedArray([10, 20, 30, 255, 10, 20, 30, 0, 10, 20, 30, 255, 10, 20, 30, 255]) };
    const out = resizeImage(rgba, 3, 3);
    expect(out).toMatchObject({ width: 3, height: 3, channels: 3 });
    expect(Array.from(out.data.subarray(0, 6))).toEqual([10, 20, 30, 10, 20, 30]);
    const rgb: RawImage = { width: 3, height: 3, channels: 3, data: new Uint8Array(27) };
    expect(resizeImage(rgb, 3, 3)).toBe(rgb);
  });
});

describe('colours, overlay and mask', () => {
  const img: RawImage = { width: 2, height: 2, channels: 3, data: new Uint8Array([200, 100, 40, 200, 100, 40, 200, 100, 40, 200, 100, 40]) };
  const map = [0, 1, 2, 4];

  it('heat colours run from near black to pale yellow, clamped', () => {
    expect(heatColor(0)).toEqual([0, 0, 4]);
    expect(heatColor(1)).toEqual([252, 255, 164]);
    expect(heatColor(-3)).toEqual(heatColor(0));
    expect(heatColor(7)).toEqual(heatColor(1));
    expect(heatColor(Number.NaN)).toEqual(heatColor(0));
    const mid = heatColor(0.5);
    expect(mid[0]).toBeGreaterThan(mid[2]);
  });

  it('masks pixels at or below the threshold to 25% (MAIA), keeps the rest', () => {
    const thr = thresholdFor({ mode: 'relative', fraction: 0.5 }, mapRange(map).max);
    expect(thr).toBe(2);
    const out = maskImage(img, map, thr);
    expect(Array.from(out)).toEqual([50, 25, 10, 255, 50, 25, 10, 255, 50, 25, 10, 255, 200, 100, 40, 255]);
    expect(thresholdFor({ mode: 'absolute', value: 0.7 }, 100)).toBe(0.7);
    expect(Array.from(regionMask(map, 0.5))).toEqual([0, 1, 1, 1]);
    expect(regionFraction(regionMask(map, 0.5))).toBe(0.75);
  });

  it('overlays heat in proportion to the value; refuses a map of another size', () => {
    const out = overlayHeatmap(img, map, { lo: 0, hi: 4 });
    expect(out.length).toBe(16);
    expect(out[3]).toBe(255);
    // The hottest pixel moves furthest from the image (towards pale yellow).
    expect(out[12 + 2]).toBeGreaterThan(out[2]);
    expect(() => overlayHeatmap(img, [1, 2], { lo: 0, hi: 1 })).toThrow(/upsample/);
    expect(Array.from(imageRgba(img).subarray(0, 4))).toEqual([200, 100, 40, 255]);
    expect(mapRange([])).toEqual({ min: 0, max: 0 });
  });
});
