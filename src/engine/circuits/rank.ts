/** Deterministic top-k and seeded sampling for circuits (ties broken by the lower unit index). */
import { Rng, hashSeed } from '../synth/rng';

/** Indices of the k largest scores, largest first; equal scores in ascending index order. */
export function topK(scores: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx.slice(0, Math.min(k, idx.length));
}

/** `k` distinct integers of [0, n), sorted, from a seeded partial Fisher–Yates shuffle. */
export function sampleUnits(n: number, k: number, seed: number, ...stream: number[]): number[] {
  const rng = new Rng(hashSeed(seed, ...stream));
  const pool = Array.from({ length: n }, (_, i) => i);
  const m = Math.min(k, n);
  for (let i = 0; i < m; i++) {
    const j = i + rng.int(n - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, m).sort((a, b) => a - b);
}

/** Index of the largest of row `i` of a [N, K] row-major array (the first on ties). */
export function argmaxRow(data: ArrayLike<number>, i: number, K: number): number {
  let best = 0;
  for (let k = 1; k < K; k++) if (data[i * K + k] > data[i * K + best]) best = k;
  return best;
}
