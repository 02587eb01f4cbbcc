/**
 * FREDSR benchmark, all in one run (ratios against baselines measured in the same run):
 *   1. quality on the held-out photos (/data/fredsr/test): PSNR/SSIM on Y (BT.601, border 3) of
 *      bilinear, bicubic (Pillow's), each ONNX upscaler present in models/ (FREDSR, its ablations,
 *      ESPCN; onnxruntime-node) and UpscalerJS's esrgan-slim 3x (TF.js WASM in Node);
 *   2. speed: ms per 640×360 LR frame (→ 1920×1080) of FREDSR in onnxruntime-node and in the tab
 *      (onnxruntime-web WASM in a worker, Debian chromium), against esrgan-slim in TF.js's WASM
 *      backend in Node and in the tab; parameter counts of both;
 *   3. the goals: within 0.3 dB of esrgan-slim, ≤ 1/6 of its parameters, ≥ 10× its speed,
 *      ≥ +1 dB over bicubic.
 * Usage: npx tsx bench/upscale.ts [--budget MS] [--images N] [--threads 1,2] [--no-browser] [--json FILE] [--models DIR]
 *   [--tab-models fredsr,fredsr-l1,…] (which ONNX upscalers to time in the tab besides esrgan-slim)
 * (builds the bench page with bench/upscale/vite.config.ts first; the test set comes from
 * `/usr/bin/python3 models/training/fredsr_data.py`, and the report names it by count and sha256,
 * saying whether it is the manifest's documented set). WebGPU is not timed: this machine has no
 * GPU, and SwiftShader's WebGPU is a CPU emulation whose timings say nothing about GPUs.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { decodeImageFile } from '../src/cli/decode';
import { resizeBilinear } from '../src/engine/data/bilinear';
import { nodeRuntime } from '../src/engine/runtime/node';
import type { RawImage } from '../src/engine/types';
import { resizeBicubic } from '../src/engine/upscale/bicubic';
import { psnrY, ssimY } from '../src/engine/upscale/metrics';
import { Upscaler } from '../src/engine/upscale/upscaler';
import { time, type Timing } from './timing';
import { benchFrame } from './upscale/frame';
import { openUpscaleBenchPage } from './upscale/host';
import { describeTestSet, type TestImage, type TestSetReport } from './upscale/testSet';
import { esrganFrameRunner, esrganUpscale, initTfWasm, loadEsrganSlim, type LayersModelJson } from './upscale/esrganSlim';
import type { FrameJob, FrameResult } from './upscale/worker';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const BUDGET = Number(arg('budget') ?? 4000);
const MAX_IMAGES = Number(arg('images') ?? Infinity);
const THREADS = (arg('threads') ?? '1,2').split(',').map(Number);
const BROWSER = !process.argv.includes('--no-browser');
const JSON_OUT = arg('json') ?? 'bench/out/upscale.json';
/** Where the ONNX upscalers are read from (another folder to try candidates). */
const MODELS_DIR = arg('models') ?? 'models';
/** The ONNX upscalers timed in the tab (ids from ONNX_MODELS; FREDSR alone by default). */
const TAB_MODELS = (arg('tab-models') ?? 'fredsr').split(',');

const TEST_DIR = '/data/fredsr/test';
const FRAME = { width: 640, height: 360 };
const BORDER = 3;
const ESRGAN_DIR = 'node_modules/@upscalerjs/esrgan-slim/models/x3';
const TFJS_WASM_DIR = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';

/** The ONNX upscalers of the FREDSR contract, in report order; missing files are skipped. */
const ONNX_MODELS = [
  { id: 'fredsr', label: 'FREDSR (GAN, full)' },
  { id: 'fredsr-l1fft', label: 'FREDSR ablation: L1 + FFT loss, no GAN' },
  { id: 'fredsr-l1', label: 'FREDSR ablation: L1 loss only' },
  { id: 'espcn', label: 'ESPCN baseline' },
];
const ESRGAN = 'UpscalerJS esrgan-slim 3x';

interface Quality {
  method: string;
  parameters: number | null;
  psnr: number;
  ssim: number;
  perImage: { id: string; psnr: number; ssim: number }[];
}

interface SpeedRow {
  method: string;
  where: string;
  /** Threads asked for; `threads` is what the runtime reports using. */
  asked: number;
  threads: number;
  parameters: number;
  frame: Timing;
}

type Method = (lr: RawImage, hr: RawImage) => Promise<RawImage>;

function testImages(): TestImage[] {
  const index = join(TEST_DIR, 'index.json');
  if (!existsSync(index)) {
    throw new Error(`${index} is missing: build the held-out set with \`npm run data:fredsr\` (or \`/usr/bin/python3 models/training/fredsr_data.py\`).`);
  }
  return (JSON.parse(readFileSync(index, 'utf8')) as TestImage[]).slice(0, MAX_IMAGES);
}

function presentModels() {
  return ONNX_MODELS.filter((m) => existsSync(join(MODELS_DIR, `${m.id}.onnx`)));
}

/** What each model's card says it is (variant and note), so an early checkpoint is never mistaken for the final model. */
function cardLine(id: string): string {
  const path = join(MODELS_DIR, `${id}.card.json`);
  if (!existsSync(path)) return `${id}.onnx: no model card`;
  const card = JSON.parse(readFileSync(path, 'utf8')) as { variant?: string; note?: string; parameters?: number };
  return `${id}.onnx: variant ${card.variant ?? '?'}${card.note ? ` — ${card.note}` : ''}`;
}

function bilinear(lr: RawImage, w: number, h: number): RawImage {
  const f = resizeBilinear(lr.data, lr.width, lr.height, lr.channels, 3, w, h);
  return { width: w, height: h, channels: 3, data: Uint8Array.from(f, (v) => Math.round(v)) };
}

async function evaluate(method: string, parameters: number | null, images: TestImage[], run: Method): Promise<Quality> {
  const perImage: Quality['perImage'] = [];
  for (const img of images) {
    const hr = decodeImageFile(join(TEST_DIR, img.hr));
    const lr = decodeImageFile(join(TEST_DIR, img.lr));
    const sr = await run(lr, hr);
    if (sr.width !== hr.width || sr.height !== hr.height) throw new Error(`${method} gave ${sr.width}×${sr.height} for ${img.id}, expected ${hr.width}×${hr.height}`);
    perImage.push({ id: img.id, psnr: psnrY(sr, hr, BORDER), ssim: ssimY(sr, hr, BORDER) });
  }
  const mean = (k: 'psnr' | 'ssim') => perImage.reduce((s, r) => s + r[k], 0) / perImage.length;
  console.error(`quality: ${method} ${mean('psnr').toFixed(2)} dB`);
  return { method, parameters, psnr: mean('psnr'), ssim: mean('ssim'), perImage };
}

function loadEsrganFiles(): { json: LayersModelJson; weights: ArrayBuffer } {
  const json = JSON.parse(readFileSync(join(ESRGAN_DIR, 'model.json'), 'utf8')) as LayersModelJson;
  const parts = json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(join(ESRGAN_DIR, p)));
  const all = Buffer.concat(parts);
  return { json, weights: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) };
}

async function nodeSide(images: TestImage[]) {
  const runtime = nodeRuntime();
  const quality: Quality[] = [];
  const speed: SpeedRow[] = [];
  quality.push(await evaluate('bilinear (no model)', null, images, async (lr, hr) => bilinear(lr, hr.width, hr.height)));
  quality.push(await evaluate('bicubic (Pillow)', null, images, async (lr, hr) => resizeBicubic(lr, hr.width, hr.height)));

  const tf = await initTfWasm();
  const files = loadEsrganFiles();
  const esrgan = await loadEsrganSlim(files.json, files.weights);
  const esrganParams = esrgan.countParams();
  quality.push(await evaluate(ESRGAN, esrganParams, images, (lr) => esrganUpscale(esrgan, lr)));
  const runner = esrganFrameRunner(esrgan, FRAME.width, FRAME.height);
  speed.push({ method: ESRGAN, where: `tfjs ${tf.version} ${tf.backend}${tf.simd ? ' SIMD' : ''} (Node)`, asked: 1, threads: tf.threads, parameters: esrganParams, frame: await time(runner.run, BUDGET, 1) });
  runner.dispose();
  console.error(`speed: ${ESRGAN} in Node done`);

  for (const m of presentModels()) {
    const bytes = new Uint8Array(readFileSync(join(MODELS_DIR, `${m.id}.onnx`)));
    const up = await Upscaler.open(runtime, bytes, m.id, { threads: 1 });
    // Whole images in one run (tile 0): the model's own quality, free of any tiling choice.
    quality.push(await evaluate(m.label, up.info.parameters, images, (lr) => up.upscale(lr, { tile: 0 })));
    await up.release();
    if (m.id !== 'fredsr' && m.id !== 'espcn') continue;
    for (const threads of THREADS) {
      const timed = await Upscaler.open(runtime, bytes, m.id, { threads });
      const input = benchFrame(FRAME.width, FRAME.height);
      speed.push({ method: m.label, where: 'onnxruntime-node (CPU)', asked: threads, threads, parameters: timed.info.parameters, frame: await time(() => timed.run(input), BUDGET) });
      await timed.release();
    }
    console.error(`speed: ${m.label} in Node done`);
  }
  esrgan.dispose();
  return { quality, speed };
}

async function browserSide(): Promise<SpeedRow[]> {
  const { page, chromiumVersion, close } = await openUpscaleBenchPage({ '/models/': MODELS_DIR, '/esrgan-slim/': ESRGAN_DIR, '/tfjs-wasm/': TFJS_WASM_DIR });
  const rows: SpeedRow[] = [];
  try {
    const run = async (method: string, job: FrameJob) => {
      const r = (await page.evaluate((j) => window.runFrameBench(j), job)) as FrameResult;
      // onnxruntime-web must honour the request (else the page is not cross-origin isolated);
      // TF.js sizes its own XNNPACK pool, so its real count is reported instead.
      if (job.kind === 'onnx' && r.threads !== job.threads) throw new Error(`${method}: asked for ${job.threads} WASM threads, got ${r.threads} (cross-origin isolation?)`);
      rows.push({ method, where: `${r.runtime} ${r.backend} (chromium ${chromiumVersion} worker)`, asked: job.threads, threads: r.threads, parameters: r.parameters, frame: r.frame });
      console.error(`speed: ${method} in chromium, ${r.threads} thread(s) done`);
    };
    const common = { ...FRAME, budgetMs: BUDGET };
    for (const threads of THREADS) {
      for (const m of presentModels().filter((p) => TAB_MODELS.includes(p.id))) {
        await run(m.label, { ...common, kind: 'onnx', threads, modelUrl: `/models/${m.id}.onnx`, backend: 'wasm' });
      }
      await run(ESRGAN, { ...common, kind: 'tfjs', threads, modelJsonUrl: '/esrgan-slim/model.json', weightsUrl: '/esrgan-slim/group1-shard1of1.bin', wasmDir: '/tfjs-wasm/' });
    }
  } finally {
    await close();
  }
  return rows;
}

const f2 = (x: number) => x.toFixed(2);
const ms = (t: Timing) => `${t.median.toFixed(t.median < 100 ? 1 : 0)} ms`;

function report(quality: Quality[], speed: SpeedRow[], testSet: TestSetReport) {
  const pkg = (name: string) => (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines: string[] = [];
  const out = (s = '') => lines.push(s);
  out(`## FREDSR benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length}× ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  out();
  out(`onnxruntime-node ${pkg('onnxruntime-node')}, onnxruntime-web ${pkg('onnxruntime-web')}, @tensorflow/tfjs ${pkg('@tensorflow/tfjs')} + tfjs-backend-wasm ${pkg('@tensorflow/tfjs-backend-wasm')}, @upscalerjs/esrgan-slim ${pkg('@upscalerjs/esrgan-slim')}.`);
  out();
  for (const m of presentModels()) out(`- ${cardLine(m.id)}`);
  out();
  out(`### Quality: 3×, PSNR/SSIM on Y (BT.601), border ${BORDER}`);
  out();
  out(`Test set: ${testSet.isDocumented ? '' : '⚠ '}${testSet.line}.`);
  out();
  const bicubic = quality.find((q) => q.method.startsWith('bicubic'))!;
  out('| method | parameters | PSNR (dB) | SSIM | Δ PSNR vs bicubic |');
  out('|---|---|---|---|---|');
  for (const q of quality) {
    out(`| ${q.method} | ${q.parameters?.toLocaleString('en-US') ?? '—'} | ${f2(q.psnr)} | ${q.ssim.toFixed(4)} | ${q.psnr - bicubic.psnr >= 0 ? '+' : ''}${f2(q.psnr - bicubic.psnr)} |`);
  }
  out();
  out(`### Speed: one ${FRAME.width}×${FRAME.height} frame → ${FRAME.width * 3}×${FRAME.height * 3}, median ms (model call only, warm session)`);
  out();
  out('| method | runtime | threads (asked → used) | ms / frame | frames/s | speed-up over esrgan-slim (same place, same request) |');
  out('|---|---|---|---|---|---|');
  const place = (r: SpeedRow) => (r.where.includes('chromium') ? 'browser' : 'node');
  const esrganRow = (r: SpeedRow) =>
    speed.find((e) => e.method === ESRGAN && place(e) === place(r) && e.asked === r.asked) ?? speed.find((e) => e.method === ESRGAN && place(e) === place(r));
  for (const r of speed) {
    const base = esrganRow(r);
    const ratio = base && r.method !== ESRGAN ? `${f2(base.frame.median / r.frame.median)}×` : '—';
    const threads = r.asked === r.threads ? `${r.threads}` : `${r.asked} → ${r.threads}`;
    out(`| ${r.method} | ${r.where} | ${threads} | ${ms(r.frame)} | ${f2(1000 / r.frame.median)} | ${ratio} |`);
  }
  out();
  const fredsr = quality.find((q) => q.method === ONNX_MODELS[0].label);
  const esrgan = quality.find((q) => q.method === ESRGAN)!;
  const bilinearQ = quality.find((q) => q.method.startsWith('bilinear'))!;
  out('### Goals');
  out();
  if (esrgan.psnr < bilinearQ.psnr + 0.3) out(`**esrgan-slim does not beat bilinear clearly (${f2(esrgan.psnr)} vs ${f2(bilinearQ.psnr)} dB): its I/O convention is probably wrong here.**`);
  if (!fredsr) {
    out(`${MODELS_DIR}/fredsr.onnx is missing: no FREDSR goals to check.`);
  } else {
    const goal = (ok: boolean, text: string) => out(`- ${ok ? '✅ met' : '❌ not met'}: ${text}`);
    goal(fredsr.psnr >= esrgan.psnr - 0.3, `within 0.3 dB of esrgan-slim — ${f2(fredsr.psnr)} vs ${f2(esrgan.psnr)} dB (${fredsr.psnr - esrgan.psnr >= 0 ? '+' : ''}${f2(fredsr.psnr - esrgan.psnr)})`);
    goal((fredsr.parameters ?? Infinity) * 6 <= (esrgan.parameters ?? 0), `≤ 1/6 of its parameters — ${fredsr.parameters?.toLocaleString('en-US')} vs ${esrgan.parameters?.toLocaleString('en-US')} (1/${f2((esrgan.parameters ?? 0) / (fredsr.parameters ?? 1))})`);
    for (const r of speed.filter((s) => s.method === ONNX_MODELS[0].label)) {
      const base = esrganRow(r);
      if (base) goal(base.frame.median / r.frame.median >= 10, `≥ 10× its speed (${place(r)}, ${r.asked} thread${r.asked > 1 ? 's' : ''} asked) — ${ms(r.frame)} vs ${ms(base.frame)} per frame (${f2(base.frame.median / r.frame.median)}×)`);
    }
    goal(fredsr.psnr >= bicubic.psnr + 1, `≥ +1 dB over bicubic — ${fredsr.psnr - bicubic.psnr >= 0 ? '+' : ''}${f2(fredsr.psnr - bicubic.psnr)} dB`);
  }
  return lines.join('\n');
}

async function main() {
  const unknown = TAB_MODELS.filter((id) => !ONNX_MODELS.some((m) => m.id === id));
  if (unknown.length) throw new Error(`--tab-models: unknown id(s) ${unknown.join(', ')}; known: ${ONNX_MODELS.map((m) => m.id).join(', ')}`);
  const images = testImages();
  const testSet = describeTestSet(images, TEST_DIR);
  console.error(`test set: ${testSet.line}`);
  const missing = ONNX_MODELS.filter((m) => !existsSync(join(MODELS_DIR, `${m.id}.onnx`))).map((m) => m.id);
  if (missing.length) console.error(`not in ${MODELS_DIR}/ (skipped): ${missing.join(', ')}`);
  const { quality, speed } = await nodeSide(images);
  if (BROWSER) speed.push(...(await browserSide()));
  const text = report(quality, speed, testSet);
  console.log(`\n${text}`);
  mkdirSync(dirname(JSON_OUT), { recursive: true });
  const git = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  writeFileSync(JSON_OUT, JSON.stringify({ date: new Date().toISOString(), git, testSet: { count: testSet.count, sha256: testSet.sha256, documented: testSet.isDocumented }, quality, speed }, null, 1));
  console.error(`details (per image): ${JSON_OUT}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    // Plain message only: TF.js's WASM module rethrows through its own handler and would print its source.
    console.error(`bench/upscale.ts failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
