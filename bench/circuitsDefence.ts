/**
 * Attack and defence on the built-in scenes-spurious classifier (not a test; issue 15's analogue
 * of the paper's typographic attack on CLIP). The model leans on a background shortcut (each
 * class trained 95% on its paired background kind). For each background kind b' (paired with
 * class c'), the victims are aligned scenes of the other classes (class c on its own paired
 * background, the first `victims` per class in scenes-test); the attacks put them on b':
 *   - background: the whole background replaced by that of a scene on b';
 *   - sticker: a 32×32 patch (a quarter of the image) of such a background on the bottom-right corner.
 * Defence: the circuit of the background concept — examples: b' backgrounds alone (scenes on b'
 * rendered without their item), contrast: the other backgrounds alone — with a selective target
 * (the last layer's most b'-selective units), CLA, k per layer; prune (zero) all its units. Against
 * pruning `random` random circuits of the same size per layer (seeded). Accuracy against the true class.
 * Usage: npx tsx bench/circuitsDefence.ts [--k 5] [--victims 8] [--random 20] [--threads 2]
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { defaultCircuitLayers, discoverCircuit, makeSpec } from '../src/engine/circuits';
import { Evaluator, randomCircuits, type Config } from '../src/engine/circuits/causal';
import { openMaskedRunner } from '../src/engine/circuits/masked';
import { BUILTIN_DATASETS, loadBanks, openDataset } from '../src/engine/data/datasets';
import { imagesToTensor } from '../src/engine/data/preprocess';
import { sceneSpecAt } from '../src/engine/data/shards';
import { LoadedModel } from '../src/engine/lab/loadedModel';
import { nodeRuntime } from '../src/engine/runtime/node';
import { swapBackground } from '../src/engine/synth/edits';
import { SPURIOUS_MAP } from '../src/engine/synth/policy';
import { render } from '../src/engine/synth/render';
import { BACKGROUND_KINDS, CLASSES } from '../src/engine/synth/vocabulary';
import type { RawImage } from '../src/engine/types';

const argValue = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const K = Number(argValue('k', '5'));
const VICTIMS = Number(argValue('victims', '8'));
const RANDOM = Number(argValue('random', '20'));
const THREADS = Number(argValue('threads', '2'));
const EXAMPLES = 16;

async function main() {
  const runtime = nodeRuntime();
  const file = 'models/scenes-spurious.onnx';
  const model = await LoadedModel.open(runtime, new Uint8Array(readFileSync(file)), 'scenes-spurious.onnx', { session: { threads: THREADS } });
  const banks = await loadBanks(async (name) => new Uint8Array(readFileSync(join('assets', name))));
  const ds = await openDataset('scenes-test', banks);
  const options = BUILTIN_DATASETS[0].options;
  const spec = (i: number) => sceneSpecAt(options, i, banks);
  const image = (pixels: Uint8Array | Uint8ClampedArray): RawImage => ({ width: 64, height: 64, channels: 3, data: pixels });
  const bgAlone = (i: number) => image(render(spec(i), banks, { item: false }).pixels);
  const labels = model.summary.labels!;
  const layers = defaultCircuitLayers(model.model, model.summary);
  const layerInfo = model.summary.layers.filter((l) => layers.includes(l.tensor));
  const runner = await openMaskedRunner(runtime, model.model, layerInfo.map((l) => ({ tensor: l.tensor, channels: l.channels, rank: 4 })), [], 'mean', model.summary.imageInput.name, { threads: THREADS });
  const ev = new Evaluator(runner, layerInfo, undefined, 64);
  const rows: string[] = [];
  const sums = { clean: [0, 0, 0], bg: [0, 0, 0], sticker: [0, 0, 0] };
  const t0 = performance.now();
  for (const bg of BACKGROUND_KINDS) {
    const attacker = CLASSES.find((c) => SPURIOUS_MAP[c] === bg)!;
    const onBg = ds.filter({ background: bg });
    const others = ds.filter({}).filter((i) => ds.facets[i].background.kind !== bg);
    const circuitSpec = makeSpec({ kind: 'images', count: EXAMPLES }, { kind: 'selective', count: K }, { examples: EXAMPLES, heldOut: 0, layers, k: K, random: 0 });
    const circuit = await discoverCircuit(runtime, model, circuitSpec, { discovery: onBg.slice(0, EXAMPLES).map(bgAlone), heldOut: [], contrast: others.slice(0, EXAMPLES).map(bgAlone) });
    // Victims: aligned scenes of the other classes; attack backgrounds from scenes on b' that discovery did not use.
    const victims = CLASSES.filter((c) => c !== attacker).flatMap((c) => ds.filter({ class: c, background: SPURIOUS_MAP[c] }).slice(0, VICTIMS));
    const donors = onBg.slice(EXAMPLES);
    const truth = victims.map((i) => labels.indexOf(ds.facets[i].class));
    const clean = victims.map((i) => ds.image(i));
    const swapped = victims.map((i, j) => image(render(swapBackground(spec(i), spec(donors[j % donors.length]).background), banks).pixels));
    const stickered = victims.map((i, j) => {
      const px = ds.image(i).data.slice();
      const patch = bgAlone(donors[j % donors.length]).data;
      for (let y = 32; y < 64; y++) for (let x = 32; x < 64; x++) for (let ch = 0; ch < 3; ch++) px[(y * 64 + x) * 3 + ch] = patch[(y * 64 + x) * 3 + ch];
      return image(px);
    });
    const units = new Map(layers.map((l) => [l, circuit.nodes.filter((n) => n.layer === l).map((n) => n.unit)]));
    const sizes = new Map([...units].map(([l, u]) => [l, u.length]));
    const configs: Config[] = [
      { units: new Map(), mode: 'ablate' },
      { units, mode: 'ablate' },
      ...randomCircuits(layerInfo, sizes, RANDOM, 0, 100 + BACKGROUND_KINDS.indexOf(bg)).map((u) => ({ units: u, mode: 'ablate' as const })),
    ];
    const measure = async (imgs: RawImage[]) => {
      const r = await ev.evaluate(imagesToTensor(imgs, model.summary.preprocess), truth, configs, null);
      const rand = r.slice(2).map((x) => x.accuracy);
      return [r[0].accuracy, r[1].accuracy, rand.reduce((a, b) => a + b, 0) / Math.max(1, rand.length)];
    };
    const c = await measure(clean);
    const b = await measure(swapped);
    const s = await measure(stickered);
    c.forEach((v, i) => (sums.clean[i] += v / BACKGROUND_KINDS.length));
    b.forEach((v, i) => (sums.bg[i] += v / BACKGROUND_KINDS.length));
    s.forEach((v, i) => (sums.sticker[i] += v / BACKGROUND_KINDS.length));
    const f = (x: number[]) => `${x[0].toFixed(2)} → ${x[1].toFixed(2)} (random ${x[2].toFixed(2)})`;
    rows.push(`| ${bg} (→ ${attacker}) | ${victims.length} | ${f(c)} | ${f(b)} | ${f(s)} |`);
    console.error(`${bg}: clean ${f(c)}, background ${f(b)}, sticker ${f(s)}`);
  }
  await runner.release();
  const f = (x: number[]) => `${x[0].toFixed(3)} → ${x[1].toFixed(3)} (random ${x[2].toFixed(3)})`;
  console.log(`\n## Circuits attack and defence — scenes-spurious (sha256 ${model.summary.sha256.slice(0, 12)}…), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, onnxruntime-node CPU, ${THREADS} threads, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  console.log(`Per attack background b' (paired with class c'): victims = the first ${VICTIMS} aligned scenes of scenes-test of each other class; accuracy before → after pruning the b' background circuit (CLA, selective target: the ${K} most b'-selective units of the last layer, k = ${K} per layer over ${layers.length} block outputs; examples: ${EXAMPLES} b' backgrounds alone, contrast: ${EXAMPLES} other backgrounds alone), and after pruning ${RANDOM} random circuits of the same size (mean).\n`);
  console.log('| attack background | victims | aligned (clean) | background attack | sticker attack (quarter patch) |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`| **mean** | | ${f(sums.clean)} | ${f(sums.bg)} | ${f(sums.sticker)} |`);
  const gainBg = sums.bg[1] - sums.bg[0];
  const gainSt = sums.sticker[1] - sums.sticker[0];
  const aligned = sums.clean[1] - sums.clean[0];
  console.log(`\nGoal: conflicting-scene accuracy +15 points or more, aligned within 5 points. Measured: background attack ${(100 * gainBg).toFixed(1)} points (random pruning ${(100 * (sums.bg[2] - sums.bg[0])).toFixed(1)}), sticker ${(100 * gainSt).toFixed(1)} points (random ${(100 * (sums.sticker[2] - sums.sticker[0])).toFixed(1)}), aligned ${(100 * aligned).toFixed(1)} points.`);
  await model.release();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
