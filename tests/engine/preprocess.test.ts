import { describe, expect, it } from 'vitest';
import { imagesToTensor, preprocessFor, IMAGENET_MEAN } from '../../src/engine/data/preprocess';
import type { Preprocess, RawImage } from '../../src/engine/types';

const identity: Preprocess = { size: [2, 2], mean: [0, 0, 0], std: [1, 1, 1], source: 'override' };

describe('preprocess', () => {
  it('keeps pixels at the same size, drops alpha and writes planar RGB', () => {
    const img: RawImage = { width: 2, height: 2, channels: 4, data: Uint8Array.from([255, 0, 0, 9, 0, 255, 0, 9, 0, 0, 255, 9, 51, 102, 153, 9]) };
    const t = imagesToTensor([img], identity);
    expect(t.dims).toEqual([1, 3, 2, 2]);
    expect(Array.from(t.data, (v) => Math.round(v * 255))).toEqual([255, 0, 0, 51, 0, 255, 0, 102, 0, 0, 255, 153]);
  });

  it('resizes bilinearly with half-pixel centres (torch align_corners=False)', () => {
    // 1×2 → 1×4: torch gives [0, 0.25, 0.75, 1] × 255 for the row [0, 255].
    const img: RawImage = { width: 2, height: 1, channels: 3, data: Uint8Array.from([0, 0, 0, 255, 255, 255]) };
    const t = imagesToTensor([img], { ...identity, size: [1, 4] });
    expect(Array.from(t.data.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
  });

  it('normalises by mean/std and batches images of different sizes', () => {
    const a: RawImage = { width: 3, height: 3, channels: 3, data: new Uint8Array(27).fill(255) };
    const b: RawImage = { width: 5, height: 1, channels: 3, data: new Uint8Array(15) };
    const p: Preprocess = { size: [2, 2], mean: [0.5, 0.5, 0.5], std: [0.5, 0.25, 0.5], source: 'override' };
    const t = imagesToTensor([a, b], p);
    expect(t.dims).toEqual([2, 3, 2, 2]);
    expect(t.data[0]).toBeCloseTo(1);
    expect(t.data[4]).toBeCloseTo(2);
    expect(t.data[12]).toBeCloseTo(-1);
  });

  it('reads lab.preprocess metadata, and falls back to ImageNet on invalid metadata', () => {
    const meta = { 'lab.preprocess': JSON.stringify({ size: [64, 64], mean: [0.2, 0.2, 0.2], std: [0.3, 0.3, 0.3] }) };
    expect(preprocessFor(meta, [null, null])).toEqual({ size: [64, 64], mean: [0.2, 0.2, 0.2], std: [0.3, 0.3, 0.3], source: 'metadata' });
    const bad = preprocessFor({ 'lab.preprocess': '{"mean":[1,2],"std":"x"}' }, [128, 96]);
    expect(bad).toEqual({ size: [128, 96], mean: IMAGENET_MEAN, std: [0.229, 0.224, 0.225], source: 'imagenet-default' });
    expect(preprocessFor({ 'lab.preprocess': '{not json' }, [null, null]).size).toEqual([224, 224]);
  });
});
