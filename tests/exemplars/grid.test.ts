/** Unit grid summaries and LayerIndex snapshots (what the worker sends and the page caches). */
import { describe, expect, it } from 'vitest';
import { LayerIndex } from '../../src/engine/exemplars/layerIndex';
import { unitGrid } from '../../src/engine/exemplars/grid';
import { UnitRanking } from '../../src/engine/exemplars/topk';

function filled(n = 50, C = 3, k = 5): LayerIndex {
  const index = new LayerIndex('t', C, n, k);
  let s = 7;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
  for (let first = 0; first < n; first += 10) {
    const rows = Math.min(10, n - first);
    const max = Float32Array.from({ length: rows * C }, (_, j) => (j % C === 2 ? 0 : rand() * 4 - 1));
    const mean = max.map((v) => v / 2);
    index.add(first, max, mean);
  }
  return index;
}

describe('unitGrid', () => {
  it('agrees with stats(): best exemplar, sparsity, mean/std; the sparkline counts every image', () => {
    const index = filled();
    const grid = unitGrid(index, 16);
    expect(grid).toHaveLength(3);
    for (const g of grid) {
      const st = index.stats(g.unit, 16);
      expect(g.best).toEqual(st.top[0]);
      expect(g.sparsity).toBeCloseTo(st.sparsity);
      expect(g.mean).toBeCloseTo(st.mean, 6);
      expect(g.std).toBeCloseTo(st.std, 6);
      expect(g.spark).toEqual(st.histogram.counts);
      expect(g.spark.reduce((a, b) => a + b, 0)).toBe(50);
      const topMean = st.top.reduce((a, r) => a + r.value, 0) / st.top.length;
      if (st.std > 0) expect(g.selectivity).toBeCloseTo((topMean - st.mean) / st.std, 5);
    }
    // A constant unit: no spread, selectivity 0.
    expect(grid[2]).toMatchObject({ sparsity: 0, std: 0, selectivity: 0 });
  });
});

describe('snapshots', () => {
  it('a restored index equals the original and is independent of it', () => {
    const index = filled();
    const snap = index.snapshot();
    const back = LayerIndex.restore(structuredClone(snap));
    for (let u = 0; u < 3; u++) expect(back.stats(u)).toEqual(index.stats(u));
    expect(back.done).toBe(50);
    back.max[0] = 99;
    expect(index.max[0]).not.toBe(99);
  });

  it('refuses snapshots whose parts do not fit', () => {
    const snap = filled().snapshot();
    expect(() => LayerIndex.restore({ ...snap, max: new Float32Array(3) })).toThrow(/fit/);
    expect(() => LayerIndex.restore({ ...snap, done: 51 })).toThrow(/fit/);
    expect(() => LayerIndex.restore({ ...snap, top: { ...snap.top, k: 4 } })).toThrow(/fit/);
    expect(() => UnitRanking.restore({ ...snap.top, sizes: Int32Array.from([9, 0, 0]) })).toThrow(/fit/);
  });
});
