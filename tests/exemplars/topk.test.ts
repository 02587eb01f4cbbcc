import { describe, expect, it } from 'vitest';
import { UnitRanking } from '../../src/engine/exemplars/topk';
import { LayerIndex } from '../../src/engine/exemplars/layerIndex';

/** Seeded scores with many ties, [n, units]. */
function scores(n: number, units: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n * units }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return Math.floor((s >>> 8) / 2 ** 19) / 4 - 2; // coarse values: ties are common
  });
}

function fullSort(data: Float32Array, units: number, unit: number, k: number, order: 'top' | 'bottom') {
  const n = data.length / units;
  const rows = Array.from({ length: n }, (_, i) => ({ index: i, value: data[i * units + unit] }));
  rows.sort((a, b) => (a.value !== b.value ? (order === 'top' ? b.value - a.value : a.value - b.value) : a.index - b.index));
  return rows.slice(0, k);
}

describe('streaming top-k', () => {
  it('equals a full sort, for top and bottom, with ties broken by image index', () => {
    const units = 7;
    const data = scores(1000, units, 42);
    for (const order of ['top', 'bottom'] as const) {
      const r = new UnitRanking(units, 15, order);
      for (let first = 0; first < 1000; first += 37) r.offerBatch(data.subarray(first * units, Math.min(1000, first + 37) * units), first);
      for (let u = 0; u < units; u++) expect(r.ranked(u)).toEqual(fullSort(data, units, u, 15, order));
    }
  });

  it('merging shards equals one pass, in any order and grouping', () => {
    const units = 5;
    const data = scores(900, units, 7);
    const shard = (a: number, b: number) => {
      const r = new UnitRanking(units, 15, 'top');
      r.offerBatch(data.subarray(a * units, b * units), a);
      return r;
    };
    const whole = shard(0, 900);
    const [x, y, z] = [shard(0, 250), shard(250, 600), shard(600, 900)];
    for (const merged of [x.merge(y).merge(z), z.merge(x.merge(y)), y.merge(z).merge(x)]) {
      for (let u = 0; u < units; u++) expect(merged.ranked(u)).toEqual(whole.ranked(u));
    }
  });

  it('keeps fewer than k when fewer images exist, and ignores NaN (unreadable images)', () => {
    const r = new UnitRanking(1, 15, 'top');
    r.offerBatch(Float32Array.from([1, Number.NaN, 3]), 0);
    expect(r.ranked(0)).toEqual([{ index: 2, value: 3 }, { index: 0, value: 1 }]);
  });
});

describe('layer index statistics', () => {
  it('derives histogram, sparsity and moments from the table', () => {
    const index = new LayerIndex('t', 2, 4, 3);
    index.add(0, Float32Array.from([0, 1, 2, -1]), Float32Array.from([0, 0.5, 1, -1]));
    index.add(2, Float32Array.from([4, Number.NaN, -2, 3]), Float32Array.from([2, Number.NaN, -2, 1]));
    const s = index.stats(0, 4);
    expect(s).toMatchObject({ mean: 1, min: -2, max: 4, sparsity: 0.5 });
    expect(s.std).toBeCloseTo(Math.sqrt((1 + 1 + 9 + 9) / 4));
    expect(s.histogram.counts).toEqual([1, 1, 1, 1]);
    expect(s.top.map((t) => t.index)).toEqual([2, 1, 0]);
    expect(index.stats(1).sparsity).toBeCloseTo(2 / 3);
    expect(() => index.add(3, new Float32Array(2), new Float32Array(2))).toThrow(/in order/);
  });
});
