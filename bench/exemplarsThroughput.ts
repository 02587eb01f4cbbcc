/**
 * Indexing throughput (images/s) in browser WASM against onnxruntime-node, on this machine in one
 * run: the built-in classifier over the built-in test scenes, and ResNet-18 (224×224, scenes
 * upsampled from 64) over a fixed subset, both at one layer, exactly as the app indexes
 * (bench/exemplarsIndexJob.ts runs on both sides). Ratios are against Node measured here.
 * Usage: npx tsx bench/exemplarsThroughput.ts [--scenes 10000] [--resnet-scenes 300] [--threads 2] [--dist dist]
 * (expects `vite build` output in dist/ or --dist; builds the ResNet-18 fixture when missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { nodeRuntime } from '../src/engine/runtime/node';
import { onBenchPage, serveBench } from './benchPage';
import { runIndexJob, type IndexJob, type IndexJobResult } from './exemplarsIndexJob';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const THREADS = arg('threads', 2);
const distArg = process.argv.indexOf('--dist');
const DIST = distArg > 0 ? process.argv[distArg + 1] : 'dist';
const BATCH = 64;

const CASES = [
  { name: 'scenes-balanced (64×64)', file: 'models/scenes-balanced.onnx', url: '/models/scenes-balanced.onnx', layer: '/stage3/block0/relu2/Relu_output_0', count: arg('scenes', 10000) },
  // The last ReLU of layer3 (256 units, 14×14): a mid-depth layer a researcher would open.
  { name: 'resnet18 (224×224, random weights)', file: 'tests/.fixtures/resnet18.onnx', url: '/fixtures/resnet18.onnx', layer: '^layer3\\.1\\.relu', count: arg('resnet-scenes', 300) },
];

const readAsset = async (name: string) => new Uint8Array(readFileSync(join('assets', name)));
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function main() {
  if (!existsSync(`${DIST}/bench/browser/index.html`)) throw new Error('Run `vite build` first.');
  if (!existsSync(CASES[1].file)) execFileSync('/usr/bin/python3', ['tests/fixtures/make_torchvision.py'], { stdio: 'inherit' });
  const { server, baseUrl } = await serveBench(DIST);
  const rows: Array<{ name: string; where: string; r: IndexJobResult; load: string }> = [];
  try {
    for (const c of CASES) {
      const job: IndexJob = { modelUrl: c.url, layer: c.layer, count: c.count, batch: BATCH, threads: THREADS };
      const node = await runIndexJob(nodeRuntime(), new Uint8Array(readFileSync(c.file)), readAsset, job);
      rows.push({ name: c.name, where: 'onnxruntime-node (CPU)', r: node, load: load() });
      console.error(`node ${c.name}: ${node.imagesPerSecond.toFixed(1)} images/s (load ${load()})`);
      const web = await onBenchPage(baseUrl, (page) => page.evaluate((j) => window.runIndexBench(j), job));
      if (web.threads !== THREADS) throw new Error(`asked for ${THREADS} WASM threads, got ${web.threads} (cross-origin isolation?)`);
      rows.push({ name: c.name, where: 'onnxruntime-web WASM (chromium worker)', r: web, load: load() });
      console.error(`web  ${c.name}: ${web.imagesPerSecond.toFixed(1)} images/s (load ${load()})`);
    }
  } finally {
    server.close();
  }
  console.log(`\n## Indexing throughput — ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${THREADS} threads, batch ${BATCH}\n`);
  console.log('| model | layer | images | runtime | images/s | of the time, rendering scenes | browser/node time | load average (1/5/15 min) after |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { name, where, r, load: l } of rows) {
    const node = rows.find((n) => n.name === name && n.where.startsWith('onnxruntime-node'))!.r;
    console.log(
      `| ${name} | ${r.layer} | ${r.images} | ${where} | ${r.imagesPerSecond.toFixed(1)} | ${((100 * r.renderMs) / r.ms).toFixed(0)}% | ${(node.imagesPerSecond / r.imagesPerSecond).toFixed(2)}× | ${l} |`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
