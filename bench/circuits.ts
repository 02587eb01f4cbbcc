/**
 * Circuit discovery timing (not a test): CLA on the built-in classifier (16 examples of a class,
 * 6 block outputs, k = 5), alone and with 20 random baselines on 16 held-out images — in
 * onnxruntime-node (the CLI) and, with --browser, in onnxruntime-web WASM in a chromium worker
 * (the tab; expects `vite build` output in --dist, default dist/) — and the same on ResNet-18
 * (224×224, the scenes upsampled) in the CLI. Prints a markdown table with tab/CLI ratios; both
 * sides run bench/circuitsJob.ts, so they time the same code. Also checks that both sides found
 * the same circuit.
 * Usage: npx tsx bench/circuits.ts [--browser] [--dist DIR] [--threads 2] [--no-resnet]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { nodeRuntime } from '../src/engine/runtime/node';
import { onBenchPage, serveBench } from './benchPage';
import { runCircuitJob, type CircuitJob, type CircuitJobResult } from './circuitsJob';

const argValue = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const THREADS = Number(argValue('threads', '2'));
const DIST = argValue('dist', 'dist');
const BROWSER = process.argv.includes('--browser');
const RESNET = !process.argv.includes('--no-resnet');

const base = { concept: 'coat', examples: 16, layers: 6, k: 5, random: 20, threads: THREADS, pool: 400 };
const CASES = [
  { name: 'scenes-balanced (64×64)', file: 'models/scenes-balanced.onnx', url: '/models/scenes-balanced.onnx', browser: true },
  ...(RESNET ? [{ name: 'resnet18 (224×224, random weights)', file: 'tests/.fixtures/resnet18.onnx', url: '/fixtures/resnet18.onnx', browser: false }] : []),
];

const readAsset = async (name: string) => new Uint8Array(readFileSync(join('assets', name)));
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const s = (ms: number) => (ms / 1000).toFixed(2);

async function main() {
  if (BROWSER && !existsSync(`${DIST}/bench/browser/index.html`)) throw new Error(`Run \`vite build\` first (no ${DIST}/bench/browser/index.html).`);
  if (RESNET && !existsSync(CASES[1].file)) execFileSync('/usr/bin/python3', ['tests/fixtures/make_torchvision.py'], { stdio: 'inherit' });
  const rows: Array<{ name: string; where: string; r: CircuitJobResult; load: string }> = [];
  const served = BROWSER ? await serveBench(DIST) : null;
  try {
    for (const c of CASES) {
      const job: CircuitJob = { ...base, modelUrl: c.url };
      const node = await runCircuitJob(nodeRuntime(), new Uint8Array(readFileSync(c.file)), readAsset, job);
      rows.push({ name: c.name, where: 'CLI: onnxruntime-node (CPU)', r: node, load: load() });
      console.error(`node ${c.name}: discovery ${s(node.discoveryMs)} s, with baselines ${s(node.withBaselinesMs)} s (load ${load()})`);
      if (served && c.browser) {
        const web = await onBenchPage(served.baseUrl, (page) => page.evaluate((j) => window.runCircuitBench(j), job));
        if (web.threads !== THREADS) throw new Error(`asked for ${THREADS} WASM threads, got ${web.threads} (cross-origin isolation?)`);
        const same = JSON.stringify(web.nodes.map((n) => [n.layer, n.unit])) === JSON.stringify(node.nodes.map((n) => [n.layer, n.unit]));
        rows.push({ name: c.name, where: `tab: onnxruntime-web WASM (chromium worker)${same ? '' : ' — OTHER UNITS THAN THE CLI'}`, r: web, load: load() });
        console.error(`web  ${c.name}: discovery ${s(web.discoveryMs)} s, with baselines ${s(web.withBaselinesMs)} s, same circuit as the CLI: ${same}`);
      }
    }
  } finally {
    served?.server.close();
  }
  console.log(`\n## Circuit discovery — ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${THREADS} threads\n`);
  console.log(`CLA, concept = the first ${base.examples} "${base.concept}" scenes of scenes-test, ${base.layers} block outputs, k = ${base.k}, batch 16 rows; "with baselines" adds the causal tests on ${base.examples} held-out images with ${base.random} random circuits each (necessity, sufficiency, specificity, accuracy-vs-k curve).\n`);
  console.log('| model | runtime | discovery (s) | with 20 random baselines (s) | tab/CLI discovery | tab/CLI with baselines | necessity effect (random mean), z | load average after |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { name, where, r, load: l } of rows) {
    const cli = rows.find((x) => x.name === name && x.where.startsWith('CLI'))!.r;
    const n = r.necessity;
    console.log(
      `| ${name} | ${where} | ${s(r.discoveryMs)} | ${s(r.withBaselinesMs)} | ${(r.discoveryMs / cli.discoveryMs).toFixed(2)}× | ${(r.withBaselinesMs / cli.withBaselinesMs).toFixed(2)}× | ${n ? `${n.effect.toFixed(2)} (${n.randomMean.toFixed(2)}), ${n.z.toFixed(1)}` : '—'} | ${l} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
