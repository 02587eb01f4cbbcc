/**
 * Large models: load time and peak memory of a ~330 MB (ViT-B/16) and a ~528 MB (VGG-16) model
 * in the tab (the built app, WASM, from a URL: download, hash, dry run, session) against
 * onnxruntime-node in the same run (the `lab inspect` path — the same engine — and a bare
 * InferenceSession.create as the floor). Peak memory is the largest resident set of the
 * process tree (chromium's processes; the Node process), sampled every 100 ms from /proc.
 *
 *   /usr/bin/python3 tests/fixtures/make_big.py vgg16 vit_b_16   # the models, random weights
 *   DIST_DIR=dist npx vite build && npx tsx bench/bigModels.ts [--dist dist] [--models vit_b_16,vgg16]
 *
 * Run one at a time on a shared machine: a 528 MB model peaks near 3 GB in the tab.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../playwright.config';
import { serveBench } from './benchPage';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const dist = opt('dist', process.env.DIST_DIR ?? 'dist');
const models = opt('models', 'vit_b_16,vgg16').split(',');

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pids of `root` and all its descendants. */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** Samples the tree's resident set until stopped; returns the peak in MB. */
function peakSampler(root: number, exclude = -1) {
  let peak = 0;
  const tick = () => (peak = Math.max(peak, tree(root).filter((p) => p !== exclude).reduce((s, p) => s + rssKb(p), 0)));
  const timer = setInterval(tick, 100);
  tick();
  return { stop: () => (clearInterval(timer), tick(), peak / 1024), baseline: () => peak / 1024 };
}

async function nodeRun(script: string[]): Promise<{ ms: number; peakMb: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, script, { stdio: ['ignore', 'ignore', 'inherit'] });
  const sampler = peakSampler(child.pid!);
  const code: number = await new Promise((ok) => child.on('exit', ok));
  const ms = performance.now() - t0;
  const peakMb = sampler.stop();
  if (code !== 0) throw new Error(`${script.join(' ')} exited ${code}`);
  return { ms, peakMb };
}

async function tabRun(baseUrl: string, model: string): Promise<{ ms: number; peakMb: number; idleMb: number }> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(`${baseUrl}#/model?v=1&backend=wasm`);
    await page.getByTestId('model-status').filter({ hasText: /ready/i }).waitFor({ timeout: 120_000 });
    // Chromium is this process's only child while the tab runs: its tree, without this process.
    const sampler = peakSampler(process.pid, process.pid);
    const idleMb = sampler.baseline();
    await page.getByTestId('model-url-input').fill(`${baseUrl}fixtures/${model}.onnx`);
    const t0 = performance.now();
    await page.getByTestId('model-url-load').click();
    await page.getByTestId('model-summary').filter({ hasText: `${model}.onnx` }).waitFor({ timeout: 600_000 });
    const ms = performance.now() - t0;
    return { ms, peakMb: sampler.stop(), idleMb };
  } finally {
    await browser.close();
  }
}

const { baseUrl, server } = await serveBench(dist);
const rows: string[] = [];
try {
  for (const model of models) {
    const path = `tests/.fixtures/${model}.onnx`;
    if (!existsSync(path)) throw new Error(`${path} is missing: /usr/bin/python3 tests/fixtures/make_big.py ${model}`);
    const mb = statSync(path).size / 2 ** 20;
    const bare = await nodeRun(['-e', `const ort=require('onnxruntime-node');ort.InferenceSession.create(${JSON.stringify(path)}).then(()=>process.exit(0))`]);
    const cli = await nodeRun(['bin/lab.mjs', 'inspect', path, '--json']);
    const tab = await tabRun(baseUrl, model);
    const line = `| ${model} | ${mb.toFixed(0)} MB | ${(tab.ms / 1000).toFixed(1)} s | ${tab.peakMb.toFixed(0)} MB (idle ${tab.idleMb.toFixed(0)}) | ${(cli.ms / 1000).toFixed(1)} s | ${cli.peakMb.toFixed(0)} MB | ${(bare.ms / 1000).toFixed(1)} s | ${bare.peakMb.toFixed(0)} MB | ${(tab.ms / cli.ms).toFixed(2)}× | ${(tab.ms / bare.ms).toFixed(1)}× |`;
    console.log(line);
    rows.push(line);
  }
} finally {
  server.close();
}
console.log('\n| model | size | tab load | tab peak RSS | lab CLI load | CLI peak RSS | ORT-node create | its peak RSS | tab/CLI | tab/ORT-node |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
