/**
 * Foundation benchmarks, all in one run on this machine (ratios, not absolute numbers, are the
 * result: machines are noisy):
 *   1. ms per image, batch 1, of ResNet-18 (224×224) and the built-in model: onnxruntime-node
 *      (1 and 2 threads) against onnxruntime-web WASM in a worker in Debian chromium (1 and 2 threads);
 *   2. the cost of probing every layer (max+mean per channel) against the unprobed model.
 * Usage: npm run bench [-- --budget MS]   (expects `vite build` output in dist/)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { inspectModel } from '../src/engine/lab/inspect';
import { addProbes } from '../src/engine/onnx/probes';
import { encodeModel } from '../src/engine/onnx/model';
import { nodeRuntime } from '../src/engine/runtime/node';
import { onBenchPage, serveBench } from './benchPage';
import { time, type Timing } from './timing';
import type { BenchJob, BenchResult } from './browser/worker';

const budgetArg = process.argv.indexOf('--budget');
const BUDGET = budgetArg > 0 ? Number(process.argv[budgetArg + 1]) : 4000;

const MODELS = [
  { name: 'resnet18 (224×224, random weights)', file: 'tests/.fixtures/resnet18.onnx', url: '/fixtures/resnet18.onnx' },
  { name: 'placeholder-fmnist (64×64)', file: 'models/placeholder-fmnist.onnx', url: '/models/placeholder-fmnist.onnx' },
];

interface Row {
  model: string;
  where: string;
  threads: number;
  plain: Timing;
  probed: Timing | null;
}

async function nodeRows(model: (typeof MODELS)[number], threads: number): Promise<Row> {
  const bytes = new Uint8Array(readFileSync(model.file));
  const runtime = nodeRuntime();
  const { model: graph, summary } = await inspectModel(runtime, bytes, model.file);
  const [H, W] = summary.preprocess.size;
  const input = { dims: [1, 3, H, W], data: new Float32Array(3 * H * W).map((_, i) => Math.sin(i * 0.001)) };
  const feeds = { [summary.imageInput.name]: input };
  const plainSession = await runtime.createSession(bytes, { threads });
  const plain = await time(() => plainSession.run(feeds), BUDGET);
  await plainSession.release();
  const probeBytes = encodeModel(addProbes(graph, { layers: summary.layers.map((l) => ({ tensor: l.tensor, rank: l.shape.length })) }));
  const probeSession = await runtime.createSession(probeBytes, { threads });
  const probed = await time(() => probeSession.run(feeds), BUDGET);
  await probeSession.release();
  return { model: model.name, where: 'onnxruntime-node (CPU)', threads, plain, probed };
}

async function browserRows(baseUrl: string, model: (typeof MODELS)[number], threads: number): Promise<Row> {
  return onBenchPage(baseUrl, async (page) => {
    const job: BenchJob = { modelUrl: model.url, threads, backend: 'wasm', probe: true, budgetMs: BUDGET };
    const r = (await page.evaluate((j) => window.runBench(j), job)) as BenchResult;
    if (r.threads !== threads) throw new Error(`asked for ${threads} WASM threads, got ${r.threads} (cross-origin isolation?)`);
    return { model: model.name, where: 'onnxruntime-web WASM (chromium worker)', threads: r.threads, plain: r.plain, probed: r.probed };
  });
}

const fmt = (t: Timing | null) => (t ? `${t.median.toFixed(1)} ms` : '—');

async function main() {
  if (!existsSync('dist/bench/browser/index.html')) throw new Error('Run `vite build` first (npm run bench does).');
  if (!existsSync(MODELS[0].file)) execFileSync('/usr/bin/python3', ['tests/fixtures/make_torchvision.py'], { stdio: 'inherit' });
  const { server, baseUrl } = await serveBench();
  const rows: Row[] = [];
  try {
    for (const model of MODELS) {
      for (const threads of [1, 2]) {
        rows.push(await nodeRows(model, threads));
        rows.push(await browserRows(baseUrl, model, threads));
        console.error(`done: ${model.name}, ${threads} thread(s)`);
      }
    }
  } finally {
    server.close();
  }
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\n## Foundation benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpu}, Node ${process.version}`);
  console.log('\nms per image (batch 1, median); ratios against onnxruntime-node with the same threads, measured in this run.\n');
  console.log('| model | runtime | threads | plain | all layers probed | probe cost | vs node (plain) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const node = rows.find((n) => n.model === r.model && n.threads === r.threads && n.where.startsWith('onnxruntime-node'))!;
    const probeCost = r.probed ? `${(r.probed.median / r.plain.median).toFixed(2)}×` : '—';
    console.log(`| ${r.model} | ${r.where} | ${r.threads} | ${fmt(r.plain)} | ${fmt(r.probed)} | ${probeCost} | ${(r.plain.median / node.plain.median).toFixed(2)}× |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
