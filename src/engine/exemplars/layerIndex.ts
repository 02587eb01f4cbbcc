/**
 * What indexing a dataset through one layer yields: the [N,C] tables of per-image spatial max
 * and mean, top-k and bottom-k images per unit (ranked by spatial max, MAIA's exemplar score),
 * and per-unit statistics derived from the tables on demand.
 */
import { UnitRanking, type Ranked } from './topk';

export interface UnitStats {
  unit: number;
  /** Mean and standard deviation of the per-image max. */
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Fraction of images where the unit is active (per-image max > 0). */
  sparsity: number;
  /** Histogram of the per-image max: `bins` counts over equal-width edges from min to max. */
  histogram: { edges: number[]; counts: number[] };
  top: Ranked[];
  bottom: Ranked[];
}

export class LayerIndex {
  readonly max: Float32Array;
  readonly mean: Float32Array;
  readonly top: UnitRanking;
  readonly bottom: UnitRanking;
  /** Images indexed so far (the tables are filled in order, so this is also the resume point). */
  done = 0;

  constructor(
    readonly tensor: string,
    readonly channels: number,
    readonly count: number,
    readonly k: number,
  ) {
    this.max = new Float32Array(count * channels);
    this.mean = new Float32Array(count * channels);
    this.top = new UnitRanking(channels, k, 'top');
    this.bottom = new UnitRanking(channels, k, 'bottom');
  }

  /** Adds a batch of [n, C] max/mean rows for images first … first+n−1. */
  add(first: number, max: Float32Array, mean: Float32Array): void {
    const n = max.length / this.channels;
    if (first !== this.done) throw new Error(`Index rows must arrive in order: expected image ${this.done}, got ${first}.`);
    if (first + n > this.count) throw new Error('More rows than the dataset has images.');
    this.max.set(max, first * this.channels);
    this.mean.set(mean, first * this.channels);
    this.top.offerBatch(max, first);
    this.bottom.offerBatch(max, first);
    this.done += n;
  }

  /** Per-image max of one unit over the images indexed so far. */
  unitColumn(unit: number): Float32Array {
    const col = new Float32Array(this.done);
    for (let i = 0; i < this.done; i++) col[i] = this.max[i * this.channels + unit];
    return col;
  }

  stats(unit: number, bins = 32): UnitStats {
    if (!Number.isInteger(unit) || unit < 0 || unit >= this.channels) throw new Error(`No unit ${unit} in ${this.tensor}.`);
    const col = this.unitColumn(unit);
    let sum = 0;
    let sq = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let active = 0;
    let n = 0;
    for (const v of col) {
      if (Number.isNaN(v)) continue; // an unreadable image
      n++;
      sum += v;
      sq += v * v;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      if (v > 0) active++;
    }
    if (n === 0) {
      return { unit, mean: 0, std: 0, min: 0, max: 0, sparsity: 0, histogram: { edges: [], counts: [] }, top: [], bottom: [] };
    }
    const mean = sum / n;
    const width = hi > lo ? (hi - lo) / bins : 1;
    const counts = new Array<number>(bins).fill(0);
    for (const v of col) if (!Number.isNaN(v)) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    return {
      unit,
      mean,
      std: Math.sqrt(Math.max(0, sq / n - mean * mean)),
      min: lo,
      max: hi,
      sparsity: active / n,
      histogram: { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width), counts },
      top: this.top.ranked(unit),
      bottom: this.bottom.ranked(unit),
    };
  }
}
