/**
 * The science check of issue 15 (not a test): every class of scenes-test as a concept for the
 * built-in scenes-balanced classifier (k = 5, CLA, 6 block outputs), necessity against 20 random
 * circuits of the same size per layer on held-out images of the class, specificity on images of
 * the other classes, sufficiency, and the accuracy-vs-k curve. Prints a markdown table.
 * Usage: npx tsx bench/circuitsScience.ts [--model models/scenes-balanced.onnx] [--held-out 64] [--random 20] [--threads 2]
 * Pass: necessity beyond the 95th percentile of the random circuits (p ≤ 1/21: above all 20) for
 * ≥ 9 of 10 classes, and a mean drop ≥ 3× the mean drop of random circuits.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { discoverCircuit, makeSpec, restOf, splitConcept } from '../src/engine/circuits';
import { loadBanks, openDataset } from '../src/engine/data/datasets';
import { LoadedModel } from '../src/engine/lab/loadedModel';
import { nodeRuntime } from '../src/engine/runtime/node';
import { CLASSES } from '../src/engine/synth/vocabulary';

const argValue = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MODEL = argValue('model', 'models/scenes-balanced.onnx');
const HELD_OUT = Number(argValue('held-out', '64'));
const RANDOM = Number(argValue('random', '20'));
const THREADS = Number(argValue('threads', '2'));
const EXAMPLES = 16;
const K = 5;

async function main() {
  const runtime = nodeRuntime();
  const model = await LoadedModel.open(runtime, new Uint8Array(readFileSync(MODEL)), MODEL.split('/').pop()!, { session: { threads: THREADS } });
  const banks = await loadBanks(async (name) => new Uint8Array(readFileSync(join('assets', name))));
  const ds = await openDataset('scenes-test', banks);
  const labels = model.summary.labels!;
  const rows: string[] = [];
  let beyond = 0;
  let dropSum = 0;
  let randomSum = 0;
  const t0 = performance.now();
  for (const cls of CLASSES) {
    const matching = ds.filter({ class: cls });
    const split = splitConcept(matching, restOf(ds.count, matching), EXAMPLES, HELD_OUT);
    const load = (idx: number[]) => idx.map((i) => ds.image(i));
    const index = labels.indexOf(cls);
    const spec = makeSpec({ kind: 'filter', filter: { class: cls } }, { kind: 'logit', index }, { contrast: { kind: 'rest' }, examples: EXAMPLES, heldOut: HELD_OUT, k: K, random: RANDOM });
    const c = await discoverCircuit(runtime, model, spec, {
      discovery: load(split.discovery),
      heldOut: load(split.heldOut),
      contrast: load(split.contrast),
      heldOutLabels: split.heldOut.map(() => index),
      contrastLabels: split.contrast.map((i) => labels.indexOf(ds.facets[i].class)),
      indices: { discovery: split.discovery, heldOut: split.heldOut },
    }, { batch: 16 });
    const { necessity: n, specificity: sp, sufficiency: su } = c.causal!;
    const ok = n.p <= 1 / (RANDOM + 1) + 1e-9;
    if (ok) beyond++;
    dropSum += n.effect;
    randomSum += n.randomMean;
    const curve = c.curve!.map((p) => `${p.circuit.toFixed(2)}/${p.randomMean.toFixed(2)}`).join(' ');
    rows.push(
      `| ${cls} | ${c.cleanAccuracy!.toFixed(2)} | ${n.effect.toFixed(2)} | ${n.logitDrop!.toFixed(2)} | ${n.randomMean.toFixed(3)} ± ${n.randomSd.toFixed(3)} | ${n.z > 1e8 ? '∞' : n.z.toFixed(1)} | ${n.p.toFixed(3)} | ${ok ? 'yes' : 'no'} | ${sp.effect.toFixed(3)} (${sp.randomMean.toFixed(3)} ± ${sp.randomSd.toFixed(3)}) | ${su.effect.toFixed(2)} (${su.randomMean.toFixed(2)}) | ${curve} |`,
    );
    console.error(`${cls}: necessity ${n.effect.toFixed(2)} vs ${n.randomMean.toFixed(3)} (p ${n.p.toFixed(3)}), ${(c.ms / 1000).toFixed(1)} s`);
  }
  const meanDrop = dropSum / CLASSES.length;
  const meanRandom = randomSum / CLASSES.length;
  console.log(`\n## Circuits science — ${MODEL.split('/').pop()} (sha256 ${model.summary.sha256.slice(0, 12)}…), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, onnxruntime-node CPU, ${THREADS} threads, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  console.log(`Each class of scenes-test as a concept: discovery on its first ${EXAMPLES} scenes, CLA, k = ${K}, the default 6 block outputs, target = the class logit; causal tests on the next ${HELD_OUT} scenes of the class (held out), zero ablation, ${RANDOM} random circuits of 5 units per layer (seed 0). Specificity on ${HELD_OUT} scenes of the other classes. Accuracy = top-1 against the true class.\n`);
  console.log('| class | clean held-out acc | necessity: acc drop | logit drop | random circuits: drop mean ± sd | z | p | beyond 95th pct | specificity: other-class acc drop (random) | sufficiency: drop (random) | acc vs k = 1…5, circuit/random |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`\nBeyond the 95th percentile of ${RANDOM} random circuits: ${beyond} of ${CLASSES.length} classes (goal ≥ 9). Mean accuracy drop ${meanDrop.toFixed(3)} vs random mean ${meanRandom.toFixed(3)}: ${(meanDrop / Math.max(meanRandom, 1e-9)).toFixed(1)}× (goal ≥ 3×).`);
  await model.release();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
