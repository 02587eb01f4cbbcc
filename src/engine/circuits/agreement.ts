/**
 * Where CLA and ablation agree: along the circuit's own chain (the same upper units for both),
 * per layer the share of the circuit's kept units that the other method's scores also rank in
 * their top k, and the Spearman rank correlation of the two edge-weight matrices.
 */
import type { Layer } from '../types';
import type { EdgeMethod } from './edgeMethod';
import { topK } from './rank';
import type { CircuitGraph } from './discover';

/** Ranks with ties averaged (1-based). */
function ranks(xs: ArrayLike<number>): Float64Array {
  const idx = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const r = new Float64Array(xs.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && xs[idx[j + 1]] === xs[idx[i]]) j++;
    for (let t = i; t <= j; t++) r[idx[t]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = ra.length;
  const ma = ra.reduce((s, x) => s + x, 0) / n;
  const mb = rb.reduce((s, x) => s + x, 0) / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i] - ma) * (rb[i] - mb);
    da += (ra[i] - ma) ** 2;
    db += (rb[i] - mb) ** 2;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0;
}

export async function agreement(other: EdgeMethod, graph: CircuitGraph, layers: Layer[], k: number, signal?: AbortSignal): Promise<Array<{ layer: string; overlap: number; spearman: number }>> {
  const out: Array<{ layer: string; overlap: number; spearman: number }> = [];
  for (const l of layers) {
    const m = graph.matrices.get(l.tensor);
    if (!m) continue;
    const upper = m.upper as Array<{ layer?: string; unit?: number; logit?: number }>;
    const tensor = upper[0].logit !== undefined ? m.upperTensor : upper[0].layer!;
    const units = upper.map((u) => (u.logit !== undefined ? u.logit : u.unit!));
    const w = await other.edges(tensor, units, l.tensor, signal);
    const score = new Float64Array(l.channels);
    for (let u = 0; u < units.length; u++) for (let c = 0; c < l.channels; c++) score[c] += w[u * l.channels + c];
    const kept = new Set(graph.kept.get(l.tensor));
    const overlap = topK(score, k).filter((c) => kept.has(c)).length / Math.max(1, kept.size);
    out.push({ layer: l.tensor, overlap, spearman: spearman(m.weights, w) });
  }
  return out;
}
