/**
 * Compositional concepts (not a test; the paper's "red", "striped", "red striped"): for every
 * colour × texture pair and for class × background pairs of scenes-test, the circuit of the
 * composite concept (scenes passing both filters) and the circuits of its parts (each filter
 * alone) on scenes-balanced; per layer the Jaccard overlap of the composite's units with the union
 * of its parts' units, against the same overlap with the union of the parts of other pairs
 * (a' ≠ a, b' ≠ b: random concept pairs). Selective targets (the concept's 5 most selective units
 * of the last layer, contrast: the rest of the dataset), CLA, k = 5, the default 6 block outputs.
 * Usage: npx tsx bench/circuitsComposition.ts [--threads 2]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { discoverCircuit, makeSpec, restOf, splitConcept } from '../src/engine/circuits';
import type { Circuit } from '../src/engine/circuits/types';
import { loadBanks, openDataset, type DatasetFilter } from '../src/engine/data/datasets';
import { LoadedModel } from '../src/engine/lab/loadedModel';
import { nodeRuntime } from '../src/engine/runtime/node';
import { BACKGROUND_KINDS, CLASSES, COLORS } from '../src/engine/synth/vocabulary';

const at = process.argv.indexOf('--threads');
const THREADS = at > 0 ? Number(process.argv[at + 1]) : 2;
const K = 5;

function jaccard(a: Set<number>, b: Set<number>): number {
  const inter = [...a].filter((x) => b.has(x)).length;
  const union = new Set([...a, ...b]).size;
  return union === 0 ? 0 : inter / union;
}

async function main() {
  const runtime = nodeRuntime();
  const model = await LoadedModel.open(runtime, new Uint8Array(readFileSync('models/scenes-balanced.onnx')), 'scenes-balanced.onnx', { session: { threads: THREADS } });
  const banks = await loadBanks(async (name) => new Uint8Array(readFileSync(join('assets', name))));
  const ds = await openDataset('scenes-test', banks);
  const cache = new Map<string, Circuit>();
  const circuitOf = async (filter: DatasetFilter): Promise<Circuit> => {
    const key = JSON.stringify(filter);
    const hit = cache.get(key);
    if (hit) return hit;
    const matching = ds.filter(filter);
    const split = splitConcept(matching, restOf(ds.count, matching), 16, 0);
    const spec = makeSpec({ kind: 'filter', filter }, { kind: 'selective', count: K }, { contrast: { kind: 'rest' }, heldOut: 0, k: K, random: 0 });
    const load = (idx: number[]) => idx.map((i) => ds.image(i));
    const c = await discoverCircuit(runtime, model, spec, { discovery: load(split.discovery), heldOut: [], contrast: load(split.contrast) });
    cache.set(key, c);
    return c;
  };
  const unitsAt = (c: Circuit, layer: string) => new Set(c.nodes.filter((n) => n.layer === layer).map((n) => n.unit));
  const t0 = performance.now();
  const families: Array<{ name: string; pairs: Array<[DatasetFilter, DatasetFilter]> }> = [
    { name: 'colour × texture', pairs: COLORS.flatMap((c) => (['stripes', 'dots', 'checks'] as const).map((t): [DatasetFilter, DatasetFilter] => [{ color: c }, { texture: t }])) },
    { name: 'class × background', pairs: CLASSES.map((c, i): [DatasetFilter, DatasetFilter] => [{ class: c }, { background: BACKGROUND_KINDS[i] }]) },
  ];
  const lines: string[] = [];
  for (const fam of families) {
    let layers: string[] = [];
    const own: number[][] = [];
    const rnd: number[][] = [];
    let wins = 0;
    for (const [a, b] of fam.pairs) {
      const comp = await circuitOf({ ...a, ...b });
      layers = comp.layers;
      const [ca, cb] = [await circuitOf(a), await circuitOf(b)];
      const ownJ = layers.map((l) => jaccard(unitsAt(comp, l), new Set([...unitsAt(ca, l), ...unitsAt(cb, l)])));
      // Random pairs: parts of other pairs, differing in both filters.
      const others = fam.pairs.filter(([x, y]) => JSON.stringify(x) !== JSON.stringify(a) && JSON.stringify(y) !== JSON.stringify(b));
      const rj = layers.map(() => 0);
      for (const [x, y] of others) {
        const [cx, cy] = [await circuitOf(x), await circuitOf(y)];
        layers.forEach((l, i) => (rj[i] += jaccard(unitsAt(comp, l), new Set([...unitsAt(cx, l), ...unitsAt(cy, l)])) / others.length));
      }
      own.push(ownJ);
      rnd.push(rj);
      const m = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
      if (m(ownJ) > m(rj)) wins++;
      console.error(`${JSON.stringify({ ...a, ...b })}: own ${m(ownJ).toFixed(3)}, random ${m(rj).toFixed(3)}`);
    }
    const label = (t: string) => model.summary.layers.find((l) => l.tensor === t)?.label ?? t;
    const col = (rows: number[][], i: number) => rows.reduce((p, r) => p + r[i], 0) / rows.length;
    lines.push(`\n**${fam.name}** (${fam.pairs.length} composites; the composite's mean Jaccard over layers beats the random pairs' for ${wins} of ${fam.pairs.length}):\n`);
    lines.push(`| | ${layers.map(label).join(' | ')} |`);
    lines.push(`|---|${layers.map(() => '---').join('|')}|`);
    lines.push(`| Jaccard(composite, union of its parts) | ${layers.map((_, i) => col(own, i).toFixed(3)).join(' | ')} |`);
    lines.push(`| Jaccard(composite, union of a random pair's parts) | ${layers.map((_, i) => col(rnd, i).toFixed(3)).join(' | ')} |`);
  }
  console.log(`\n### Composition — \`npx tsx bench/circuitsComposition.ts\`; ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, onnxruntime-node CPU, ${THREADS} threads, ${cache.size} circuits, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  console.log(`scenes-balanced; each concept = the first 16 scenes of scenes-test passing its filter(s); selective target (5 units of the last layer, contrast = the rest of the dataset), CLA, k = ${K}, the default 6 block outputs. Mean over composites per layer.`);
  for (const l of lines) console.log(l);
  await model.release();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
