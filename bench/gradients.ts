/**
 * Timing of backward graphs (not a test):
 *
 *     npx tsx bench/gradients.ts [runs] [threads] [--browser] [--featvis] [--objective=max|mean]
 *                                [--steps=128] [--models=a,b] [--units=0,1,2,3] [--no-backward] [--fft]
 *                                [--grad-models=a,b] [--logit-only]
 *
 * 1. onnxruntime-node (always), as below.
 * 2. --browser: the same forward and forward+backward models in onnxruntime-web WASM in a worker
 *    in Debian chromium, through the tab benchmark page of bench/run.ts (expects `vite build`
 *    output in dist/): each model is timed as that page times a plain session.
 * 3. --featvis: feature visualisation of units of the built-in models (onnxruntime-node, the
 *    tab's defaults: 4 samples, 128 steps, objective max): time, time per step and the gradient
 *    session's share of it, time until the objective is within 5% of its final value
 *    ("converged"), and the unit's activation (spatial max) on its visualisations against its
 *    best exemplar over the 10,000 built-in scenes. The model's sha256 is printed with it.
 * 4. --fft: the Fourier parameterisation (image + adjoint, one channel) with the FFT against the
 *    separable DFT it replaced (tests/featvis/dftBasis.ts), at 64 and 224 pixels.
 * --no-backward skips 1 (for the featvis and fft runs alone).
 * --grad-models=a,b picks the models of 1 and 2 (default: the three small ones) from MODELS below,
 *    which also holds the big ImageNet-size fixtures vit_b_16 and convnext_tiny_224 (random
 *    weights, 224 px; tests/.fixtures/, not exported by the test setup); those have no unit
 *    target. --logit-only times just the forward model and the logit target (less memory: one
 *    gradient session beside the forward one). --models=a,b is the featvis runs' own list.
 *
 * Per model, batch 1, the sin input: the plain forward model, and gradient models (forward
 * outputs + target + d(target)/d(input)) for a logit target — with the default Conv backward and
 * with ConvTranspose for every Conv — and for a unit target at a middle layer. The sessions take
 * turns run by run (so load from other processes hits all alike); medians after 3 warm-ups.
 * threads: intra-op threads per session (default 1, the steadiest on a shared machine; 0 = all).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGradientModel, tensorShapes, type GradientOptions } from '../src/engine/onnx/backward';
import { decodeModel, encodeModel } from '../src/engine/onnx/model';
import { nodeRuntime } from '../src/engine/runtime/node';
import type { Session } from '../src/engine/runtime/types';
import { FourierBasis, type FeatureObjective } from '../src/engine/featvis';
import { DftBasis } from '../tests/featvis/dftBasis';
import { REPO_ROOT, fixturePath, sinInput } from '../tests/setup/fixturePaths';
import type { BenchJob, BenchResult } from './browser/worker';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const runs = Number(positional[0] ?? 15);
const threads = Number(positional[1] ?? 1);
const BROWSER = process.argv.includes('--browser');
const FEATVIS = process.argv.includes('--featvis');
const FFT = process.argv.includes('--fft');
const BACKWARD = !process.argv.includes('--no-backward');
/** --name=value flags. */
const flag = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
/** Built gradient models written for the browser run (served at /grad/). */
const OUT_DIR = join(tmpdir(), 'lab-bench-grad-models');
const runtime = nodeRuntime();
const MODELS = [
  { name: 'placeholder-fmnist', path: join(REPO_ROOT, 'models/placeholder-fmnist.onnx'), input: 'image', dims: [1, 3, 64, 64], middle: '/stage2/block0/relu2/Relu_output_0' },
  { name: 'scenes-balanced', path: join(REPO_ROOT, 'models/scenes-balanced.onnx'), input: 'image', dims: [1, 3, 64, 64], middle: '/stage2/block0/relu2/Relu_output_0' },
  { name: 'resnet18', path: fixturePath('resnet18.onnx'), input: 'input', dims: [1, 3, 224, 224], middle: '/layer3/layer3.1/relu_1/Relu_output_0' },
  // Opt-in (--grad-models): ImageNet-size, one at a time in memory.
  { name: 'vit_b_16', path: fixturePath('vit_b_16.onnx'), input: 'input', dims: [1, 3, 224, 224], middle: undefined, optIn: true },
  { name: 'convnext_tiny_224', path: fixturePath('convnext_tiny_224.onnx'), input: 'input', dims: [1, 3, 224, 224], middle: undefined, optIn: true },
].filter((m, _i, all) => {
  const picked = flag('grad-models', '');
  if (!picked) return !('optIn' in m && m.optIn);
  const names = picked.split(',');
  for (const n of names) if (!all.some((x) => x.name === n)) throw new Error(`--grad-models: unknown model ${n} (known: ${all.map((x) => x.name).join(', ')})`);
  return names.includes(m.name);
});
const LOGIT_ONLY = process.argv.includes('--logit-only');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browserFile = (model: string, label: string) => `${model}.${label.replace(/[^a-z]+/gi, '-')}.onnx`;
if (BROWSER) mkdirSync(OUT_DIR, { recursive: true });
if (BACKWARD) console.log(`onnxruntime-node, ${threads || 'all'} thread(s), median of ${runs} runs`);
for (const m of BACKWARD ? MODELS : []) {
  const bytes = new Uint8Array(readFileSync(m.path));
  const model = decodeModel(bytes);
  const shapes = await tensorShapes(runtime, model);
  const feeds = { [m.input]: { dims: m.dims, data: sinInput(m.dims) } };
  const variants: Array<[string, Omit<GradientOptions, 'shapes' | 'wrt'> | null]> = [
    ['forward only', null],
    ['logit target', { target: { kind: 'logit', index: 0 } }],
  ];
  if (!LOGIT_ONLY) variants.push(['logit target, ConvTranspose for every Conv', { target: { kind: 'logit', index: 0 }, convAdjoint: 'convtranspose' }]);
  if (!LOGIT_ONLY && m.middle) variants.push(['unit target (middle layer)', { target: { kind: 'unit', tensor: m.middle, unit: 0, reduce: 'mean' } }]);
  const sessions: Array<{ label: string; session: Session; note: string; times: number[] }> = [];
  for (const [label, options] of variants) {
    let note = '';
    let model2: Uint8Array = bytes;
    if (options) {
      const built = buildGradientModel(model, { ...options, wrt: ['input'], shapes });
      note = `${built.differentiated} nodes differentiated, ${built.model.graph.node.length - model.graph.node.length} added`;
      model2 = encodeModel(built.model);
    }
    if (BROWSER) writeFileSync(join(OUT_DIR, browserFile(m.name, label)), model2);
    const session = await runtime.createSession(model2, { threads });
    for (let i = 0; i < 3; i++) await session.run(feeds);
    sessions.push({ label, session, note, times: [] });
  }
  for (let r = 0; r < runs; r++) {
    for (const s of sessions) {
      const t = performance.now();
      await s.session.run(feeds);
      s.times.push(performance.now() - t);
    }
  }
  const forward = median(sessions[0].times);
  console.log(`${m.name}: forward ${forward.toFixed(1)} ms`);
  for (const s of sessions.slice(1)) {
    const ms = median(s.times);
    console.log(`  ${s.label}: forward+backward ${ms.toFixed(1)} ms = ${(ms / forward).toFixed(2)}× forward (${s.note})`);
  }
  for (const s of sessions) await s.session.release();
}

if (BROWSER) await browserTimings();
if (FFT) fftTimings();
if (FEATVIS) await featvisTimings();

/**
 * Image + adjoint of one channel: the FFT basis against the separable DFT. Timed in this
 * process's CPU time (process.cpuUsage), which a busy machine does not inflate the way it does
 * wall-clock time; the best of 5 rounds.
 */
function fftTimings(): void {
  console.log('\nFourier parameterisation, one channel, image + adjoint (process CPU time, best of 5 rounds)');
  for (const n of [64, 224]) {
    const ms = [FourierBasis, DftBasis].map((B) => {
      const b = new B(n, n);
      const p = Float32Array.from({ length: b.perChannel }, (_, i) => Math.sin(i));
      const img = new Float32Array(n * n);
      const g = new Float32Array(b.perChannel);
      const reps = n === 64 ? 20 : 2;
      let best = Infinity;
      for (let round = 0; round < 6; round++) {
        const t = process.cpuUsage();
        for (let r = 0; r < reps; r++) {
          b.image(p, 0, img, 0);
          b.adjoint(img, 0, g, 0);
        }
        const d = process.cpuUsage(t);
        if (round > 0) best = Math.min(best, (d.user + d.system) / 1000 / reps);
      }
      return best;
    });
    console.log(`  ${n}×${n}: FFT ${ms[0].toFixed(2)} ms, separable DFT ${ms[1].toFixed(2)} ms (${(ms[1] / ms[0]).toFixed(1)}× less)`);
  }
}

/** The same models in onnxruntime-web WASM in chromium, through the tab benchmark page. */
async function browserTimings(): Promise<void> {
  const { chromium } = await import('playwright-core');
  const { CHROMIUM_ARGS } = await import('../playwright.config');
  const { startServer } = await import('../scripts/serve.mjs');
  const server = await startServer({ root: 'dist', port: 0, mounts: { '/grad/': OUT_DIR } });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  try {
    console.log(`\nonnxruntime-web WASM in a chromium worker, ${threads || 2} thread(s), median over ~4 s per model`);
    for (const m of MODELS) {
      const times: Array<[string, number]> = [];
      for (const label of ['forward only', 'logit target', ...(LOGIT_ONLY || !m.middle ? [] : ['unit target (middle layer)'])]) {
        const page = await browser.newPage();
        await page.goto(`${base}bench/browser/index.html`);
        const job: BenchJob = { modelUrl: `/grad/${browserFile(m.name, label)}`, threads: threads || 2, backend: 'wasm', probe: false, budgetMs: 4000 };
        const r = (await page.evaluate((j) => window.runBench(j), job)) as BenchResult;
        times.push([label, r.plain.median]);
        await page.close();
      }
      const forward = times[0][1];
      console.log(`${m.name}: forward ${forward.toFixed(1)} ms`);
      for (const [label, ms] of times.slice(1)) console.log(`  ${label}: forward+backward ${ms.toFixed(1)} ms = ${(ms / forward).toFixed(2)}× forward`);
    }
  } finally {
    await browser.close();
    server.close();
  }
}

/** Feature visualisation of a few units per built-in model against their best exemplars (Node). */
async function featvisTimings(): Promise<void> {
  const { createHash } = await import('node:crypto');
  const { LoadedModel } = await import('../src/engine/lab/loadedModel');
  const { openDataset, loadBanks } = await import('../src/engine/data/datasets');
  const { openGradientRunner } = await import('../src/engine/attribution');
  const { featureObjective, visualize } = await import('../src/engine/featvis');
  const banks = await loadBanks(async (name) => new Uint8Array(readFileSync(join(REPO_ROOT, 'assets', name))));
  const ds = await openDataset('scenes-test', banks);
  const LAYER = '/stage3/block0/relu2/Relu_output_0';
  const UNITS = flag('units', '0,1,2,3').split(',').map(Number);
  const objective = flag('objective', 'max') as FeatureObjective;
  const steps = Number(flag('steps', '128'));
  console.log(`\nfeature visualisation (onnxruntime-node, 1 thread; 4 samples × ${steps} steps, seed 0, objective ${objective}) vs the best of ${ds.count} scenes`);
  for (const name of flag('models', 'placeholder-fmnist,scenes-balanced').split(',')) {
    const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, `models/${name}.onnx`)));
    const lm = await LoadedModel.open(runtime, bytes, name, { session: { threads: 1 } });
    const layer = lm.summary.layers.find((l) => l.tensor === LAYER)!;
    const C = layer.channels;
    console.log(`${name}: sha256 ${createHash('sha256').update(bytes).digest('hex')}`);
    const best = new Float32Array(C).fill(-Infinity);
    for (let i = 0; i < ds.count; i += 250) {
      const r = await lm.run({ images: Array.from({ length: Math.min(250, ds.count - i) }, (_, k) => ds.image(i + k)), layers: [LAYER] });
      const max = r.stats[LAYER].max.data;
      for (let k = 0; k < max.length / C; k++) for (let c = 0; c < C; c++) best[c] = Math.max(best[c], max[k * C + c]);
    }
    for (const unit of UNITS) {
      const plan = featureObjective(lm.model, LAYER, layer.shape, unit, objective);
      const runner = await openGradientRunner(runtime, plan.model, lm.summary.imageInput.name, lm.summary.preprocess.size, plan.target, { threads: 1 });
      // Process CPU time (a busy machine inflates wall-clock time, not this) per step, and the
      // gradient session's share of it (the rest: the JS parameterisation, warp and Adam).
      let sessionCpu = 0;
      const cpuMs = (d: NodeJS.CpuUsage) => (d.user + d.system) / 1000;
      const timed = { ...runner, run: async (...a: Parameters<typeof runner.run>) => {
        const t = process.cpuUsage();
        const r = await runner.run(...a);
        sessionCpu += cpuMs(process.cpuUsage(t));
        return r;
      } };
      const cpu0 = process.cpuUsage();
      const vis = await visualize(timed, lm.summary.preprocess, { seed: 0, samples: 4, steps });
      const cpuPerStep = cpuMs(process.cpuUsage(cpu0)) / (vis.steps + 1);
      await runner.release();
      const run = await lm.run({ images: vis.images, maps: [{ layer: LAYER, unit }] });
      const m = run.maps[`${LAYER}#${unit}`].data;
      const per = m.length / vis.images.length;
      const act = vis.images.map((_, i) => Math.max(...m.subarray(i * per, (i + 1) * per)));
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const final = mean(vis.history.at(-1)!.values);
      const start = mean(vis.history[0].values);
      const converged = vis.history.find((h) => mean(h.values) - start >= 0.95 * (final - start))!.step;
      console.log(
        `${name} stage3.block0.relu2 unit ${unit}: ${(vis.ms / 1000).toFixed(1)} s (${(vis.ms / vis.steps).toFixed(0)} ms/step wall; CPU ${cpuPerStep.toFixed(1)} ms/step, session ${(sessionCpu / (vis.steps + 1)).toFixed(1)}), ` +
          `converged (95%) at step ${converged} ≈ ${((vis.ms * converged) / vis.steps / 1000).toFixed(1)} s wall, ${((cpuPerStep * converged) / 1000).toFixed(1)} s CPU; ` +
          `activation max ${act.map((v) => v.toFixed(2)).join('/')} vs best exemplar ${best[unit].toFixed(2)} → ${act.filter((v) => v > best[unit]).length}/4 beat it`,
      );
    }
    await lm.release();
  }
}
