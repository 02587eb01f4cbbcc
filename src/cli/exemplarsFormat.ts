/** `lab exemplars` output: the lab.exemplars/1 JSON document (docs/cli.md) and its text form. */
import type { IndexResult } from '../engine/exemplars/indexer';
import type { UnitStats } from '../engine/exemplars/layerIndex';
import type { Layer, ModelSummary } from '../engine/types';
import type { DiskSource } from './sources';

const round = (v: number) => Math.round(v * 1e6) / 1e6;

export function exemplarsJson(
  summary: ModelSummary,
  source: DiskSource,
  layer: Layer,
  result: IndexResult,
  units: number[] | null,
  seconds: number,
  /** The images indexed, when only a shard [start, end) of the dataset was. */
  range: { start: number; end: number } = { start: 0, end: source.count },
) {
  const index = result.layers.get(layer.tensor)!;
  const named = (r: { index: number; value: number }) => ({
    index: r.index,
    name: source.names[r.index],
    label: source.labels[r.index],
    value: round(r.value),
  });
  const unitDoc = (s: UnitStats) => ({
    unit: s.unit,
    top: s.top.map(named),
    bottom: s.bottom.map(named),
    mean: round(s.mean),
    std: round(s.std),
    min: round(s.min),
    max: round(s.max),
    sparsity: round(s.sparsity),
    histogram: { edges: s.histogram.edges.map(round), counts: s.histogram.counts },
  });
  const wanted = units ?? Array.from({ length: layer.channels }, (_, i) => i);
  return {
    schema: 'lab.exemplars/1',
    model: { name: summary.name, sha256: summary.sha256 },
    dataset: {
      id: source.id,
      sha256: source.sha256 ?? null,
      count: source.count,
      ...(range.start !== 0 || range.end !== source.count ? { shard: range } : {}),
      skipped: result.skipped.map((i) => ({ index: i, name: source.names[i], reason: source.failures.get(source.names[i]) ?? null })),
      // Files that could not even be decoded are not positions of the dataset (folders, manifests).
      unreadable: [...source.failures].filter(([name]) => !source.names.includes(name)).map(([name, reason]) => ({ name, reason })),
    },
    layer: { tensor: layer.tensor, label: layer.label, channels: layer.channels },
    k: index.k,
    score: 'per-image spatial max of the unit',
    seconds: round(seconds),
    imagesPerSecond: round((range.end - range.start) / Math.max(seconds, 1e-9)),
    units: wanted.map((u) => unitDoc(index.stats(u))),
  };
}

export function formatExemplars(doc: ReturnType<typeof exemplarsJson>): string {
  const lines = [
    `${doc.layer.label} (${doc.layer.channels} units) over ${doc.dataset.count} images of ${doc.dataset.id}: ${doc.seconds.toFixed(1)} s, ${doc.imagesPerSecond.toFixed(0)} images/s`,
  ];
  if (doc.dataset.unreadable.length) lines.push(`unreadable (left out): ${doc.dataset.unreadable.map((s) => s.reason).join('; ')}`);
  if (doc.dataset.skipped.length) lines.push(`skipped ${doc.dataset.skipped.length} unreadable: ${doc.dataset.skipped.map((s) => s.name).join(', ')}`);
  for (const u of doc.units) {
    const top = u.top.slice(0, 5).map((t) => `${t.name} ${t.value.toFixed(2)}`).join(', ');
    lines.push(`unit ${u.unit}: active ${(u.sparsity * 100).toFixed(0)}%, mean max ${u.mean.toFixed(3)}; top: ${top}`);
  }
  return lines.join('\n');
}
