/**
 * Seeded pseudo-random numbers: mulberry32 over 32-bit integer arithmetic (Math.imul), so every
 * JavaScript engine produces the same sequence. Seeds for sub-streams come from `hashSeed`, a
 * murmur3-style mix of integers, so scene i of a dataset does not depend on scenes 0..i-1.
 */

/** Mixes integers into one 32-bit seed (order matters). */
export function hashSeed(...parts: number[]): number {
  let h = 0x9e3779b9 | 0;
  for (const p of parts) {
    let k = p | 0;
    // fold in the high bits of integers beyond 32 bits (seeds, indices up to 2^53)
    const hi = Math.floor(p / 4294967296) | 0;
    k = Math.imul(k ^ hi, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of a short string (for text-derived seeds). */
export function hashString(s: string): number {
  const codes: number[] = [];
  for (let i = 0; i < s.length; i++) codes.push(s.charCodeAt(i));
  return hashSeed(s.length, ...codes);
}

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  intIn(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty list');
    return items[this.int(items.length)];
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /**
   * Approximately standard normal: Irwin-Hall sum of 4 uniforms, rescaled to unit variance.
   * Uses only + and × so the bytes are the same in every engine (Box-Muller needs log/cos).
   */
  normal(): number {
    const s = this.next() + this.next() + this.next() + this.next() - 2;
    return s * 1.7320508075688772; // sqrt(3): var(sum of 4 U(0,1)) = 1/3
  }
}
