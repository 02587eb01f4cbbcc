/**
 * Tiling: the plan covers the image exactly once with bounded, equal-sized tiles; tiling through a
 * per-pixel op reassembles the untiled result bit for bit; tiling through the real FREDSR model
 * agrees with one untiled run within a small tolerance at the default overlap.
 */
import { describe, expect, it } from 'vitest';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { RawImage, TensorF32 } from '../../src/engine/types';
import { DEFAULT_OVERLAP, planTiles, upscaleTiled, type TileRunner } from '../../src/engine/upscale/tiles';
import { Upscaler } from '../../src/engine/upscale/upscaler';
import { fredsrBytes, photoCrop } from './photo';

/** A per-pixel op with a 3× nearest-neighbour layout: out(3y+i, 3x+j) = f(in(y, x)), f nonlinear. */
const perPixel: TileRunner = async (t: TensorF32) => {
  const [, , h, w] = t.dims;
  const H = h * 3;
  const W = w * 3;
  const out = new Float32Array(3 * H * W);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const v = t.data[c * h * w + Math.floor(y / 3) * w + Math.floor(x / 3)];
        // Out of [0,1] at both ends, so clamping is exercised too; depends on (i, j) within the block.
        out[c * H * W + y * W + x] = Math.sqrt(v) * 1.2 - 0.1 + ((y % 3) * 3 + (x % 3)) * 0.013;
      }
  return { dims: [1, 3, H, W], data: out };
};

function sameBytes(a: RawImage, b: RawImage): boolean {
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

describe('tile plan', () => {
  const cases: Array<[number, number, number, number]> = [
    [200, 150, 64, 8],
    [97, 301, 32, 5],
    [64, 64, 64, 8],
    [80, 80, 64, 8], // fits one padded tile: one run
    [1000, 10, 128, 16],
    [33, 33, 0, 8], // tile 0: whole image
  ];
  it.each(cases)('%i×%i, tile %i, overlap %i: cores partition the image; inputs are equal, bounded, and give each core its context', (W, H, tile, overlap) => {
    const tiles = planTiles(W, H, { tile, overlap });
    const hits = new Uint8Array(W * H);
    for (const { input, core } of tiles) {
      expect(input.x).toBeGreaterThanOrEqual(0);
      expect(input.y).toBeGreaterThanOrEqual(0);
      expect(input.x + input.width).toBeLessThanOrEqual(W);
      expect(input.y + input.height).toBeLessThanOrEqual(H);
      if (tile > 0) {
        expect(input.width).toBeLessThanOrEqual(tile + 2 * overlap);
        expect(input.height).toBeLessThanOrEqual(tile + 2 * overlap);
      }
      // Context: `overlap` pixels beyond the core on each side, unless the image ends there.
      expect(core.x - input.x).toBeGreaterThanOrEqual(Math.min(overlap, core.x));
      expect(core.y - input.y).toBeGreaterThanOrEqual(Math.min(overlap, core.y));
      expect(input.x + input.width - (core.x + core.width)).toBeGreaterThanOrEqual(Math.min(overlap, W - core.x - core.width));
      expect(input.y + input.height - (core.y + core.height)).toBeGreaterThanOrEqual(Math.min(overlap, H - core.y - core.height));
      for (let y = core.y; y < core.y + core.height; y++) for (let x = core.x; x < core.x + core.width; x++) hits[y * W + x]++;
    }
    expect(hits.every((h) => h === 1)).toBe(true);
    // One input shape for every tile (a shape-compiling backend compiles once).
    expect(new Set(tiles.map((t) => `${t.input.width}x${t.input.height}`)).size).toBe(1);
    if (W <= tile + 2 * overlap && H <= tile + 2 * overlap) expect(tiles).toHaveLength(1);
  });

  it('refuses negative or fractional sizes', () => {
    expect(() => planTiles(10, 10, { tile: -1, overlap: 0 })).toThrow(/tile size/);
    expect(() => planTiles(10, 10, { tile: 8, overlap: 1.5 })).toThrow(/overlap/);
  });
});

describe('tiled upscaling', () => {
  it.each([
    [150, 110, 32, 4],
    [150, 110, 40, 0],
    [71, 53, 16, 7],
  ])('through a per-pixel op, %i×%i in tiles of %i (overlap %i) equals the untiled result bit for bit', async (w, h, tile, overlap) => {
    const img = photoCrop(w, h);
    const whole = await upscaleTiled(img, perPixel, { scale: 3, tile: 0, overlap: 0 });
    let calls = 0;
    const counted: TileRunner = (t) => {
      calls++;
      return perPixel(t);
    };
    const tiled = await upscaleTiled(img, counted, { scale: 3, tile, overlap });
    expect(calls).toBe(planTiles(w, h, { tile, overlap }).length);
    expect(calls).toBeGreaterThan(4);
    expect(tiled.width).toBe(w * 3);
    expect(tiled.height).toBe(h * 3);
    expect(sameBytes(tiled, whole)).toBe(true);
  });

  it('through FREDSR, tiles of 64 with the default overlap agree with one untiled run within 1/255 (and without overlap they do not)', async () => {
    const up = await Upscaler.open(nodeRuntime(), fredsrBytes(), 'fredsr.onnx');
    try {
      const img = photoCrop(200, 150, 37, -21);
      const whole = await up.upscale(img, { tile: 0 });
      const tiled = await up.upscale(img, { tile: 64, overlap: DEFAULT_OVERLAP });
      const bare = await up.upscale(img, { tile: 64, overlap: 0 });
      const diff = (a: RawImage, b: RawImage) => {
        let max = 0;
        let sum = 0;
        for (let i = 0; i < a.data.length; i++) {
          const d = Math.abs(a.data[i] - b.data[i]);
          max = Math.max(max, d);
          sum += d;
        }
        return { max, mean: sum / a.data.length };
      };
      const withOverlap = diff(tiled, whole);
      const withoutOverlap = diff(bare, whole);
      console.log(`FREDSR tiled vs untiled: overlap ${DEFAULT_OVERLAP}: max ${withOverlap.max}, mean ${withOverlap.mean.toExponential(2)}; overlap 0: max ${withoutOverlap.max}, mean ${withoutOverlap.mean.toExponential(2)}`);
      expect(withOverlap.max).toBeLessThanOrEqual(1);
      expect(withoutOverlap.max).toBeGreaterThan(withOverlap.max);
    } finally {
      await up.release();
    }
  });
});
