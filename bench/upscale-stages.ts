/**
 * Where an upscaler's frame time goes: the model cut after each node (src/engine/onnx/prefix.ts),
 * each prefix timed (all of them in interleaved rounds) on one 640×360 frame in the tab (onnxruntime-web WASM, a worker in Debian's
 * chromium) and in onnxruntime-node. A node's own cost is its prefix's time minus that of its
 * costliest input's prefix; the full model, timed in the same run, is the baseline the shares are
 * taken of. Costs include reading the prefix's output back (a Conv's 20-channel map weighs as much
 * as the final frame), and a side branch (FREDSR's skip) is counted once in its own nodes and
 * partly again where it joins, so the own costs need not sum to the full model's time: read them
 * as a profile, not an exact split. Negative own costs are noise (or a fused activation).
 * Usage: npx tsx bench/upscale-stages.ts [--model models/fredsr.onnx] [--threads 1] [--rounds N]
 *   [--width 640 --height 360] [--no-browser] [--json FILE]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeModel, encodeModel, type Model, type Node } from '../src/engine/onnx/model';
import { realInputs } from '../src/engine/onnx/graph';
import { prefixModel } from '../src/engine/onnx/prefix';
import { nodeRuntime } from '../src/engine/runtime/node';
import { timeInterleaved, type Timing } from './timing';
import { benchFrame } from './upscale/frame';
import { openUpscaleBenchPage } from './upscale/host';
import type { StagesJob, StagesResult } from './upscale/stagesWorker';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const MODEL = arg('model') ?? 'models/fredsr.onnx';
const THREADS = Number(arg('threads') ?? 1);
const ROUNDS = Number(arg('rounds') ?? 9);
const WIDTH = Number(arg('width') ?? 640);
const HEIGHT = Number(arg('height') ?? 360);
const BROWSER = !process.argv.includes('--no-browser');
const JSON_OUT = arg('json') ?? 'bench/out/upscale-stages.json';
const PREFIX_DIR = 'bench/out/upscale-prefixes';

interface Stage {
  node: Node;
  tensor: string;
  dims: number[];
  macs: number;
  nodeMs?: Timing;
  tabMs?: Timing;
}

/** Multiply-adds of a Conv node, from its weight's dims and its output's dims. */
function convMacs(model: Model, node: Node, outDims: number[]): number {
  if (node.opType !== 'Conv') return 0;
  const w = model.graph.initializer.find((t) => t.name === node.input[1]);
  if (!w) return 0;
  const [m, cPerGroup, ...kernel] = w.dims.map(Number);
  return m * cPerGroup * kernel.reduce((a, k) => a * k, 1) * outDims.slice(2).reduce((a, d) => a * d, 1) * outDims[0];
}

/** Each node's own cost: its prefix's time minus the costliest prefix among its inputs' producers. */
function ownCosts(stages: Stage[], key: 'nodeMs' | 'tabMs'): number[] {
  const prefixMs = new Map(stages.map((s) => [s.tensor, s[key]!.median]));
  return stages.map((s) => s[key]!.median - Math.max(0, ...s.node.input.map((x) => prefixMs.get(x) ?? 0)));
}

async function main() {
  const bytes = new Uint8Array(readFileSync(MODEL));
  const model = decodeModel(bytes);
  const input = realInputs(model.graph)[0].name;
  const frame = benchFrame(WIDTH, HEIGHT);
  const prefixes = model.graph.node.map((node) => ({ node, tensor: node.output[0], bytes: encodeModel(prefixModel(model, node.output[0])) }));

  const runtime = nodeRuntime();
  const sessions = await Promise.all(prefixes.map((p) => runtime.createSession(p.bytes, { threads: THREADS })));
  const runs = sessions.map((s, i) => () => s.run({ [input]: frame }, { outputs: [prefixes[i].tensor] }));
  const stages: Stage[] = [];
  for (const [i, p] of prefixes.entries()) {
    const out = (await runs[i]())[p.tensor];
    stages.push({ node: p.node, tensor: p.tensor, dims: out.dims, macs: convMacs(model, p.node, out.dims) });
  }
  const nodeTimes = await timeInterleaved(runs, ROUNDS);
  stages.forEach((s, i) => (s.nodeMs = nodeTimes[i]));
  await Promise.all(sessions.map((s) => s.release()));
  console.error('onnxruntime-node done');

  let tabWhere = '';
  if (BROWSER) {
    // The prefixes go to the page as files: typed arrays do not survive playwright's evaluate.
    rmSync(PREFIX_DIR, { recursive: true, force: true });
    mkdirSync(PREFIX_DIR, { recursive: true });
    prefixes.forEach((p, i) => writeFileSync(join(PREFIX_DIR, `${i}.onnx`), p.bytes));
    const { page, chromiumVersion, close } = await openUpscaleBenchPage({ '/prefixes/': PREFIX_DIR });
    try {
      const job: StagesJob = { threads: THREADS, backend: 'wasm', rounds: ROUNDS, input, width: WIDTH, height: HEIGHT, prefixes: prefixes.map(({ tensor }, i) => ({ tensor, url: `/prefixes/${i}.onnx` })) };
      const r = (await page.evaluate((j) => window.runStagesBench(j), job)) as StagesResult;
      if (r.threads !== THREADS) throw new Error(`asked for ${THREADS} WASM threads, got ${r.threads} (cross-origin isolation?)`);
      tabWhere = `onnxruntime-web ${r.backend}, ${r.threads} thread(s), chromium ${chromiumVersion} worker`;
      for (const s of stages) s.tabMs = r.times[s.tensor];
    } finally {
      await close();
    }
  }

  const full = stages[stages.length - 1];
  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
  out(`## Upscaler stages — ${MODEL}, ${WIDTH}×${HEIGHT} input, ${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpus()[0]?.model ?? '?'}`);
  out();
  out(`onnxruntime-node CPU, ${THREADS} thread(s)${tabWhere ? `; ${tabWhere}` : ''}. Prefix: the model cut after the node (median ms of ${ROUNDS} interleaved rounds, output read back); own: minus its costliest input's prefix.`);
  out();
  const cols: Array<'nodeMs' | 'tabMs'> = BROWSER ? ['tabMs', 'nodeMs'] : ['nodeMs'];
  const label = { tabMs: 'tab', nodeMs: 'node' };
  const own = { tabMs: BROWSER ? ownCosts(stages, 'tabMs') : [], nodeMs: ownCosts(stages, 'nodeMs') };
  out(`| # | op | output | MMACs | ${cols.map((c) => `${label[c]} prefix ms | ${label[c]} own ms | ${label[c]} share | ${label[c]} GMAC/s`).join(' | ')} |`);
  out(`|---|---|---|---:|${cols.map(() => '---:|---:|---:|---:').join('|')}|`);
  stages.forEach((s, i) => {
    const cells = cols.map((c) => {
      const ms = own[c][i];
      const rate = s.macs && ms > 0 ? (s.macs / ms / 1e6).toFixed(1) : '';
      return `${s[c]!.median.toFixed(1)} | ${ms.toFixed(1)} | ${((100 * ms) / full[c]!.median).toFixed(0)}% | ${rate}`;
    });
    out(`| ${i + 1} | ${s.node.opType} | ${s.tensor} [${s.dims.join('×')}] | ${s.macs ? (s.macs / 1e6).toFixed(0) : ''} | ${cells.join(' | ')} |`);
  });
  out();
  const total = stages.reduce((a, s) => a + s.macs, 0);
  for (const c of cols) {
    const byOp = new Map<string, number>();
    stages.forEach((s, i) => byOp.set(s.node.opType, (byOp.get(s.node.opType) ?? 0) + own[c][i]));
    const parts = [...byOp].sort((a, b) => b[1] - a[1]).map(([op, ms]) => `${op} ${ms.toFixed(0)} ms (${((100 * ms) / full[c]!.median).toFixed(0)}%)`);
    const sum = own[c].reduce((a, ms) => a + ms, 0);
    out(`- ${label[c]}: full model ${full[c]!.median.toFixed(0)} ms (${(total / full[c]!.median / 1e6).toFixed(1)} GMAC/s over ${(total / 1e9).toFixed(2)} GMACs); own costs sum to ${sum.toFixed(0)} ms; by op: ${parts.join(', ')}`);
  }
  const text = lines.join('\n');
  console.log(`\n${text}`);
  mkdirSync(dirname(JSON_OUT), { recursive: true });
  writeFileSync(JSON_OUT, JSON.stringify({ date: new Date().toISOString(), model: MODEL, stages: stages.map(({ node, ...s }) => ({ op: node.opType, ...s })) }, null, 1));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench/upscale-stages.ts failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
