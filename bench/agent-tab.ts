/**
 * The agent in the tab (not a test): tool latency (call_unit on 10 images, text2image of 10
 * prompts, edit_images of 10) and an offline-agent run on one unit of the built-in model, in
 * onnxruntime-web WASM in a chromium worker (as the app's engine worker runs them) and, in the
 * same run, under onnxruntime-node — the same code, bench/agentJob.ts. Each tool's ratio is to
 * the bare probed model run on the same 10 images measured in the same rounds; tab/Node ratios
 * compare the two sides. Goal: the offline run under 30 s in the tab with WASM on 2 threads.
 *
 *     npx tsx bench/agent-tab.ts [--dist dist] [--threads 2] [--count 10000] [--layer stage3.block2.relu2] [--unit 1]
 *
 * (expects `vite build` output in dist/ or --dist).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { nodeRuntime } from '../src/engine/runtime/node';
import { runAgentJob, type AgentJob, type AgentJobResult } from './agentJob';
import { onBenchPage, serveBench } from './benchPage';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const DIST = arg('dist', 'dist');
const job: AgentJob = {
  modelUrl: '/models/scenes-balanced.onnx',
  layerLabel: arg('layer', 'stage3.block2.relu2'),
  unit: Number(arg('unit', '1')),
  count: Number(arg('count', '10000')),
  threads: Number(arg('threads', '2')),
  rounds: 25,
};
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const s = (ms: number) => (ms / 1000).toFixed(1);

async function main() {
  if (!existsSync(`${DIST}/bench/browser/index.html`)) throw new Error('Run `vite build` first.');
  const node = await runAgentJob(nodeRuntime(), new Uint8Array(readFileSync('models/scenes-balanced.onnx')), async (n) => new Uint8Array(readFileSync(join('assets', n))), job);
  const nodeLoad = load();
  console.error(`node: run ${s(node.runMs)} s, index ${s(node.indexMs)} s (load ${nodeLoad})`);
  const { server, baseUrl } = await serveBench(DIST);
  let tab: AgentJobResult;
  try {
    tab = await onBenchPage(baseUrl, async (page) => {
      page.setDefaultTimeout(0);
      return page.evaluate((j) => window.runAgentBench(j), job);
    });
  } finally {
    server.close();
  }
  const tabLoad = load();
  if (tab.threads !== job.threads) throw new Error(`asked for ${job.threads} WASM threads, got ${tab.threads} (cross-origin isolation?)`);
  console.log(`\n## Agent in the tab — ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length}× ${cpus()[0]?.model ?? '?'}, ${job.threads} threads, scenes-balanced ${job.layerLabel} unit ${job.unit}, ${job.count} scenes\n`);
  console.log('| operation (10 images) | tab WASM median ms | × bare run (tab) | Node median ms | × bare run (Node) | tab/Node |');
  console.log('|---|---|---|---|---|---|');
  const rows = [['bare probed model run (baseline)', 'bare'], ['call_unit', 'callUnit'], ['text2image', 'text2image'], ['edit_images', 'editImages']] as const;
  for (const [name, k] of rows) {
    const t = tab.medians[k];
    const n = node.medians[k];
    console.log(`| ${name} | ${t.toFixed(1)} | ${(t / tab.medians.bare).toFixed(2)}× | ${n.toFixed(1)} | ${(n / node.medians.bare).toFixed(2)}× | ${(t / n).toFixed(2)}× |`);
  }
  console.log('\n| offline agent, one unit | tab WASM | Node | tab/Node |');
  console.log('|---|---|---|---|');
  console.log(`| generating the dataset | ${s(tab.datasetMs)} s | ${s(node.datasetMs)} s | ${(tab.datasetMs / node.datasetMs).toFixed(2)}× |`);
  console.log(`| indexing the layer (first dataset_exemplars; once per layer) | ${s(tab.indexMs)} s | ${s(node.indexMs)} s | ${(tab.indexMs / node.indexMs).toFixed(2)}× |`);
  console.log(`| the run, index in memory | ${s(tab.runMs)} s (${tab.rounds} rounds, ${tab.toolCalls} calls) | ${s(node.runMs)} s (${node.rounds} rounds, ${node.toolCalls} calls) | ${(tab.runMs / node.runMs).toFixed(2)}× |`);
  console.log(`\nlabel: tab "${tab.label}", Node "${node.label}"; goal < 30 s in the tab: the run ${tab.runMs < 30_000 ? 'meets it' : 'misses it'}, run + indexing ${tab.runMs + tab.indexMs < 30_000 ? 'meets it' : 'misses it'}. Load average after Node ${nodeLoad}, after the tab ${tabLoad}.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
