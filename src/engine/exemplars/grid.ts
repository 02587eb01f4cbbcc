/**
 * A layer at a glance: per unit its best exemplar, a small histogram of the per-image max (a
 * sparkline), sparsity and a selectivity score, all from one pass over a LayerIndex's table.
 */
import type { LayerIndex } from './layerIndex';

export interface GridUnit {
  unit: number;
  /** The top exemplar (highest per-image max), or null when nothing was indexed. */
  best: { index: number; value: number } | null;
  /** Counts of the per-image max over `bins` equal-width bins from min to max. */
  spark: number[];
  min: number;
  max: number;
  mean: number;
  std: number;
  /** Fraction of images where the unit is active (per-image max > 0), as LayerIndex.stats. */
  sparsity: number;
  /**
   * How far the unit's top-k stand above its typical image, in standard deviations:
   * (mean of the top-k per-image max − mean over all images) / std. 0 when std is 0.
   */
  selectivity: number;
}

export function unitGrid(index: LayerIndex, bins = 16): GridUnit[] {
  const C = index.channels;
  const n = index.done;
  const sum = new Float64Array(C);
  const sq = new Float64Array(C);
  const lo = new Float64Array(C).fill(Infinity);
  const hi = new Float64Array(C).fill(-Infinity);
  const active = new Int32Array(C);
  const seen = new Int32Array(C);
  for (let i = 0; i < n; i++) {
    const row = i * C;
    for (let c = 0; c < C; c++) {
      const v = index.max[row + c];
      if (Number.isNaN(v)) continue;
      seen[c]++;
      sum[c] += v;
      sq[c] += v * v;
      if (v < lo[c]) lo[c] = v;
      if (v > hi[c]) hi[c] = v;
      if (v > 0) active[c]++;
    }
  }
  const counts = Array.from({ length: C }, () => new Array<number>(bins).fill(0));
  const width = Array.from({ length: C }, (_, c) => (hi[c] > lo[c] ? (hi[c] - lo[c]) / bins : 1));
  for (let i = 0; i < n; i++) {
    const row = i * C;
    for (let c = 0; c < C; c++) {
      const v = index.max[row + c];
      if (Number.isNaN(v)) continue;
      counts[c][Math.min(bins - 1, Math.floor((v - lo[c]) / width[c]))]++;
    }
  }
  return Array.from({ length: C }, (_, c) => {
    if (seen[c] === 0) return { unit: c, best: null, spark: counts[c], min: 0, max: 0, mean: 0, std: 0, sparsity: 0, selectivity: 0 };
    const mean = sum[c] / seen[c];
    const std = Math.sqrt(Math.max(0, sq[c] / seen[c] - mean * mean));
    const top = index.top.ranked(c);
    const topMean = top.reduce((a, r) => a + r.value, 0) / Math.max(1, top.length);
    return {
      unit: c,
      best: top[0] ?? null,
      spark: counts[c],
      min: lo[c],
      max: hi[c],
      mean,
      std,
      sparsity: active[c] / seen[c],
      selectivity: std > 1e-12 ? (topMean - mean) / std : 0,
    };
  });
}
