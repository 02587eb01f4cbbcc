/**
 * What indexing a dataset through one layer yields: the [N,C] tables of per-image spatial max
 * and mean, top-k and bottom-k images per unit (ranked by spatial max, MAIA's exemplar score),
 * and per-unit statistics derived from the tables on demand.
 */
import { UnitRanking, type Ranked, type RankingSnapshot } from './topk';

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

/** Everything a LayerIndex holds, as plain typed arrays (for postMessage and IndexedDB). */
export interface LayerIndexSnapshot {
  tensor: string;
  channels: number;
  count: number;
  k: number;
  done: number;
  max: Float32Array;
  mean: Float32Array;
  top: RankingSnapshot;
  bottom: RankingSnapshot;
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

  /** Copies of the tables and rankings (the index stays usable). */
  snapshot(): LayerIndexSnapshot {
    return {
      tensor: this.tensor,
      channels: this.channels,
      count: this.count,
      k: this.k,
      done: this.done,
      max: this.max.slice(),
      mean: this.mean.slice(),
      top: this.top.snapshot(),
      bottom: this.bottom.snapshot(),
    };
  }

  /** An index from a snapshot; throws when its parts do not fit together. */
  static restore(s: LayerIndexSnapshot): LayerIndex {
    const size = s.count * s.channels;
    const ok =
      typeof s.tensor === 'string' && Number.isInteger(s.channels) && s.channels > 0 && Number.isInteger(s.count) && s.count > 0 &&
      Number.isInteger(s.done) && s.done >= 0 && s.done <= s.count && s.max instanceof Float32Array && s.max.length === size &&
      s.mean instanceof Float32Array && s.mean.length === size && s.top?.units === s.channels && s.bottom?.units === s.channels &&
      s.top.k === s.k && s.bottom.k === s.k && s.top.order === 'top' && s.bottom.order === 'bottom';
    if (!ok) throw new Error('A layer index snapshot does not fit together.');
    const index = new LayerIndex(s.tensor, s.channels, s.count, s.k);
    index.max.set(s.max);
    index.mean.set(s.mean);
    (index as { top: UnitRanking }).top = UnitRanking.restore(s.top);
    (index as { bottom: UnitRanking }).bottom = UnitRanking.restore(s.bottom);
    index.done = s.done;
    return index;
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
