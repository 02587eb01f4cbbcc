/**
 * Streaming top-k (or bottom-k) per unit over a stream of [N,C] scores. Each unit keeps its best
 * k (value, image index) pairs sorted; ties break by the smaller image index, so the result
 * equals a full stable sort and merging shards is associative and order-independent.
 */

export type Order = 'top' | 'bottom';

export interface Ranked {
  index: number;
  value: number;
}

/** A ranking as plain typed arrays (structured-clone safe: for postMessage and IndexedDB). */
export interface RankingSnapshot {
  units: number;
  k: number;
  order: Order;
  values: Float64Array;
  indices: Int32Array;
  sizes: Int32Array;
}

export class UnitRanking {
  readonly values: Float64Array;
  readonly indices: Int32Array;
  /** Entries held per unit (≤ k). */
  readonly sizes: Int32Array;

  constructor(
    readonly units: number,
    readonly k: number,
    readonly order: Order,
  ) {
    this.values = new Float64Array(units * k);
    this.indices = new Int32Array(units * k);
    this.sizes = new Int32Array(units);
  }

  /** True when (v, i) ranks before (w, j). */
  private before(v: number, i: number, w: number, j: number): boolean {
    if (v !== w) return this.order === 'top' ? v > w : v < w;
    return i < j;
  }

  /** Offers one value of one unit. */
  offer(unit: number, value: number, index: number): void {
    if (Number.isNaN(value)) return;
    const base = unit * this.k;
    let size = this.sizes[unit];
    if (size === this.k) {
      const last = base + size - 1;
      if (!this.before(value, index, this.values[last], this.indices[last])) return;
      size--; // the last entry falls out
    }
    // Insertion into the sorted run (k is small: 15 by default).
    let pos = base + size;
    while (pos > base && this.before(value, index, this.values[pos - 1], this.indices[pos - 1])) {
      this.values[pos] = this.values[pos - 1];
      this.indices[pos] = this.indices[pos - 1];
      pos--;
    }
    this.values[pos] = value;
    this.indices[pos] = index;
    this.sizes[unit] = size + 1;
  }

  /** Offers a batch: `scores` is [n, units] row-major for images firstIndex … firstIndex+n−1. */
  offerBatch(scores: ArrayLike<number>, firstIndex: number): void {
    const n = scores.length / this.units;
    for (let r = 0; r < n; r++) {
      const row = r * this.units;
      for (let c = 0; c < this.units; c++) this.offer(c, scores[row + c], firstIndex + r);
    }
  }

  /** The ranked entries of one unit, best first. */
  ranked(unit: number): Ranked[] {
    const out: Ranked[] = [];
    for (let i = 0; i < this.sizes[unit]; i++) {
      out.push({ index: this.indices[unit * this.k + i], value: this.values[unit * this.k + i] });
    }
    return out;
  }

  /** Copies of the arrays (the ranking stays usable). */
  snapshot(): RankingSnapshot {
    return { units: this.units, k: this.k, order: this.order, values: this.values.slice(), indices: this.indices.slice(), sizes: this.sizes.slice() };
  }

  /** A ranking from a snapshot; throws when the arrays do not fit the shape. */
  static restore(s: RankingSnapshot): UnitRanking {
    const ok =
      Number.isInteger(s.units) && s.units > 0 && Number.isInteger(s.k) && s.k > 0 && (s.order === 'top' || s.order === 'bottom') &&
      s.values?.length === s.units * s.k && s.indices?.length === s.units * s.k && s.sizes?.length === s.units &&
      Array.from(s.sizes).every((n) => n >= 0 && n <= s.k);
    if (!ok) throw new Error('A ranking snapshot does not fit its shape.');
    const r = new UnitRanking(s.units, s.k, s.order);
    r.values.set(s.values);
    r.indices.set(s.indices);
    r.sizes.set(s.sizes);
    return r;
  }

  /** A new ranking holding the best k of both (shards of one dataset, disjoint image indices). */
  merge(other: UnitRanking): UnitRanking {
    if (other.units !== this.units || other.k !== this.k || other.order !== this.order) {
      throw new Error('Cannot merge rankings of different shapes.');
    }
    const out = new UnitRanking(this.units, this.k, this.order);
    for (const src of [this, other]) {
      for (let u = 0; u < this.units; u++) {
        for (let i = 0; i < src.sizes[u]; i++) out.offer(u, src.values[u * this.k + i], src.indices[u * this.k + i]);
      }
    }
    return out;
  }
}
