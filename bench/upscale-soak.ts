/**
 * Soak test of the Upscale panel's webcam mode: the built app in Debian chromium with a fake camera
 * (a generated Y4M clip, looped by chromium), upscaling live for `--minutes`; every `--interval`
 * seconds it samples the JS heap of the page and of the engine worker (CDP Runtime.getHeapUsage)
 * and the resident memory (VmRSS) of chromium's renderer and GPU processes (pids from CDP
 * SystemInfo.getProcessInfo, memory from /proc). After a warm-up it fits each series' slope and
 * measures how far its floor rose (the minimum of the last third of the samples against the minimum
 * of the first third: a frame's transient buffers swing RSS by tens of MB, a leak lifts the floor).
 * It exits non-zero when a series both slopes up faster than its limit and its floor rose by more
 * than half of what that limit allows over the run — or when frames stop.
 * With `--gc 1` (the default) every sample first forces a full garbage collection in the page and
 * the worker (CDP HeapProfiler.collectGarbage): each frame leaves megabytes of ArrayBuffer backing
 * stores (outside the JS heap figures) that V8 frees lazily, which otherwise reads as RSS growth.
 * Usage: npx tsx bench/upscale-soak.ts [--minutes 5] [--interval 10] [--size 320x180|480x270|640x360]
 *        [--max-heap-slope 1] [--max-rss-slope 4] [--gc 1|0] [--backend wasm|webgpu] [--dist dist] [--scopes 0|1] [--warmup S]
 *        (MB per minute; expects `vite build` output in dist/)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../playwright.config';
import { startServer } from '../scripts/serve.mjs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const MINUTES = Number(arg('minutes', '5'));
const INTERVAL_S = Number(arg('interval', '10'));
// 320×180 by default: more frames per minute on a slow CPU, so more chances for a leak to show.
const SIZE = arg('size', '320x180');
const DIST = arg('dist', 'dist');
/** Also sample performance.measureUserAgentSpecificMemory() per scope (slow: ~1 min a sample). */
const SCOPES = arg('scopes', '0') === '1';
const MAX_HEAP_SLOPE = Number(arg('max-heap-slope', '1'));
const MAX_RSS_SLOPE = Number(arg('max-rss-slope', '4'));
const FORCE_GC = arg('gc', '1') !== '0';
const BACKEND = arg('backend', 'wasm');
/** Samples before this many seconds are warm-up (caches, JIT, pools filling) and not fitted. */
// Chromium's frame plumbing (capture, ImageBitmaps, canvas readback) fills its buffer pools over
// the first ~1,000 frames — a few minutes at CPU frame rates — before the renderer's memory levels
// off (bench/RESULTS.md); `--warmup` sets how much of the run the verdict leaves out.
const WARMUP_S = Number(arg('warmup', String(Math.min(60, (MINUTES * 60) / 4))));
const Y4M = 'bench/out/soak-camera.y4m';
const MB = 2 ** 20;

/**
 * A 2-second 30 fps clip (4:2:0) of a moving gradient with a sliding checkerboard: real texture
 * and motion for the upscaler, and small enough to write on every run.
 */
function writeClip(path: string, width: number, height: number, frames = 60): void {
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`);
  const ySize = width * height;
  const cSize = (width / 2) * (height / 2);
  const chunks: Buffer[] = [header];
  for (let f = 0; f < frames; f++) {
    const frame = Buffer.alloc(6 + ySize + 2 * cSize);
    frame.write('FRAME\n');
    const shift = f * 4;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const checker = (((x + shift) >> 4) + (y >> 4)) & 1 ? 60 : 0;
        frame[6 + y * width + x] = 40 + ((x * 120) / width + (y * 40) / height + checker) | 0;
      }
    }
    frame.fill(128 + ((f * 2) % 40), 6 + ySize, 6 + ySize + cSize);
    frame.fill(150 - ((f * 3) % 50), 6 + ySize + cSize);
    chunks.push(frame);
  }
  writeFileSync(path, Buffer.concat(chunks));
}

interface Sample {
  t: number;
  pageHeap: number;
  workerHeap: number | null;
  rendererRss: number;
  gpuRss: number | null;
  frames: number;
  fps: number;
}

function vmRss(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Bytes resident per chromium process type, from the browser's own process list. */
async function processRss(browserSession: CDPSession): Promise<{ renderer: number; gpu: number | null }> {
  const { processInfo } = (await browserSession.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  let renderer = 0;
  let gpu: number | null = null;
  for (const p of processInfo) {
    const rss = vmRss(p.id);
    if (rss === null) continue;
    if (p.type === 'renderer') renderer += rss;
    if (p.type === 'GPU') gpu = (gpu ?? 0) + rss;
  }
  return { renderer, gpu };
}

/** Least-squares slope of `ys` over `ts` (seconds), in units per minute. */
function slopePerMinute(ts: number[], ys: number[]): number {
  const n = ts.length;
  const mt = ts.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (ts[i] - mt) * (ys[i] - my);
    den += (ts[i] - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

async function readNumber(page: Page, testid: string): Promise<number> {
  const text = await page.getByTestId(testid).textContent({ timeout: 1000 }).catch(() => null);
  return text === null ? NaN : Number(text);
}

async function main() {
  if (!existsSync(`${DIST}/index.html`)) throw new Error(`Run \`npx vite build\` first: the soak test drives the built app in ${DIST}/.`);
  const [w, h] = SIZE.split('x').map(Number);
  mkdirSync('bench/out', { recursive: true });
  writeClip(Y4M, w, h);
  const server = await startServer({ root: DIST, port: 0 });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...(BACKEND === 'webgpu' ? ['--enable-unsafe-webgpu'] : []), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${Y4M}`],
  });
  const samples: Sample[] = [];
  try {
    const context = await browser.newContext({ permissions: ['camera'] });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const browserSession = await browser.newBrowserCDPSession();
    const pageSession = await context.newCDPSession(page);
    // Workers attach to this session as child targets (unflattened: Playwright's CDPSession can only
    // address its own target), and their heaps are read with Target.sendMessageToTarget.
    const workerSessions: string[] = [];
    pageSession.on('Target.attachedToTarget', (ev: { sessionId: string; targetInfo: { type: string } }) => {
      if (ev.targetInfo.type === 'worker') workerSessions.push(ev.sessionId);
    });
    pageSession.on('Target.detachedFromTarget', (ev: { sessionId: string }) => {
      const i = workerSessions.indexOf(ev.sessionId);
      if (i >= 0) workerSessions.splice(i, 1);
    });
    await pageSession.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });

    await page.goto(`${base}#/upscale?v=1&backend=${BACKEND}`);
    await page.getByTestId('upscale-mode-webcam').click();
    await page.getByTestId('upscaler-status').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('webcam-size').selectOption(SIZE);
    await page.getByTestId('webcam-toggle').click();
    await page.getByTestId('webcam-fps').waitFor({ timeout: 60_000 });
    console.error(`soak: camera running at ${SIZE}, sampling every ${INTERVAL_S} s for ${MINUTES} min`);

    /** One CDP call inside a worker; its result, or null when the worker does not answer. */
    const inWorker = (sessionId: string, method: string) =>
      new Promise<{ usedSize?: number } | null>((resolve) => {
        const id = Math.floor(Math.random() * 1e9);
        const onMessage = (ev: { sessionId: string; message: string }) => {
          const msg = JSON.parse(ev.message) as { id?: number; result?: { usedSize?: number } };
          if (ev.sessionId === sessionId && msg.id === id) {
            pageSession.off('Target.receivedMessageFromTarget', onMessage);
            resolve(msg.result ?? null);
          }
        };
        pageSession.on('Target.receivedMessageFromTarget', onMessage);
        pageSession.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) }).catch(() => resolve(null));
        setTimeout(() => resolve(null), 5000);
      });
    const workerHeap = async (): Promise<number | null> => {
      let total: number | null = null;
      for (const sessionId of workerSessions) {
        const reply = (await inWorker(sessionId, 'Runtime.getHeapUsage'))?.usedSize;
        if (reply !== undefined) total = (total ?? 0) + reply;
      }
      return total;
    };
    const collectGarbage = async () => {
      await pageSession.send('HeapProfiler.collectGarbage');
      for (const sessionId of workerSessions) await inWorker(sessionId, 'HeapProfiler.collectGarbage');
    };

    const t0 = Date.now();
    const end = t0 + MINUTES * 60_000;
    for (;;) {
      if (FORCE_GC) await collectGarbage();
      const heap = (await pageSession.send('Runtime.getHeapUsage')) as { usedSize: number };
      const rss = await processRss(browserSession);
      const sample: Sample = {
        t: (Date.now() - t0) / 1000,
        pageHeap: heap.usedSize,
        workerHeap: await workerHeap(),
        rendererRss: rss.renderer,
        gpuRss: rss.gpu,
        frames: await readNumber(page, 'webcam-frames'),
        fps: await readNumber(page, 'webcam-fps'),
      };
      samples.push(sample);
      const mb = (x: number | null) => (x === null ? '—' : (x / MB).toFixed(1));
      // Which scope holds the memory (page or engine worker), in chromium's own accounting, which
      // counts ArrayBuffer and WASM memory backing stores that the heap figures above leave out.
      const scopes = !SCOPES
        ? null
        : await page.evaluate(async () => {
          const m = await (performance as unknown as { measureUserAgentSpecificMemory(): Promise<{ breakdown: Array<{ bytes: number; attribution: Array<{ scope: string }> }> }> }).measureUserAgentSpecificMemory();
          const by: Record<string, number> = {};
          for (const b of m.breakdown) for (const a of b.attribution.length ? b.attribution : [{ scope: 'other' }]) by[a.scope] = (by[a.scope] ?? 0) + b.bytes / Math.max(1, b.attribution.length);
          return by;
        })
        .catch(() => null);
      if (SCOPES) console.error(
        `  memory by scope: ${scopes ? Object.entries(scopes).map(([k, v]) => `${k} ${(v / MB).toFixed(1)} MB`).join(', ') : '—'}`,
      );
      console.error(
        `t=${sample.t.toFixed(0)}s frames=${sample.frames} fps=${sample.fps} page heap ${mb(sample.pageHeap)} MB, worker heap ${mb(sample.workerHeap)} MB, renderer RSS ${mb(sample.rendererRss)} MB, GPU RSS ${mb(sample.gpuRss)} MB`,
      );
      if (Date.now() + INTERVAL_S * 1000 > end + 1000) break;
      await page.waitForTimeout(INTERVAL_S * 1000);
    }
    if (errors.length) console.error(`page errors during the soak: ${errors.slice(0, 5).join(' | ')}`);
    await page.getByTestId('webcam-toggle').click();
  } finally {
    await browser.close();
    server.close();
  }

  const fitted = samples.filter((s) => s.t >= WARMUP_S);
  if (fitted.length < 3) throw new Error(`only ${fitted.length} samples after the ${WARMUP_S} s warm-up: run longer (--minutes) or sample more often (--interval)`);
  const ts = fitted.map((s) => s.t);
  const series: { name: string; values: (number | null)[]; limit: number }[] = [
    { name: 'page JS heap', values: fitted.map((s) => s.pageHeap), limit: MAX_HEAP_SLOPE },
    { name: 'worker JS heap', values: fitted.map((s) => s.workerHeap), limit: MAX_HEAP_SLOPE },
    { name: 'renderer RSS (page + workers + WASM)', values: fitted.map((s) => s.rendererRss), limit: MAX_RSS_SLOPE },
    { name: 'GPU process RSS', values: fitted.map((s) => s.gpuRss), limit: MAX_RSS_SLOPE },
  ];
  const failures: string[] = [];
  console.log(`\n## Upscale webcam soak — ${new Date().toISOString().slice(0, 10)}, ${SIZE}, ${BACKEND}, ${MINUTES} min, ${samples.length} samples (fit after ${WARMUP_S} s), ${FORCE_GC ? 'full GC before each sample' : 'no forced GC'}\n`);
  const fitMinutes = (ts[ts.length - 1] - ts[0]) / 60;
  const third = Math.max(1, Math.floor(fitted.length / 3));
  console.log('| series | first (MB) | last (MB) | slope (MB/min) | floor rise (MB) | slope limit | verdict |');
  console.log('|---|---|---|---|---|---|---|');
  for (const s of series) {
    if (s.values.some((v) => v === null)) {
      console.log(`| ${s.name} | — | — | — | — | ${s.limit} | not measured |`);
      continue;
    }
    const ys = (s.values as number[]).map((v) => v / MB);
    const slope = slopePerMinute(ts, ys);
    const floorRise = Math.min(...ys.slice(-third)) - Math.min(...ys.slice(0, third));
    const ok = slope <= s.limit || floorRise <= (s.limit * fitMinutes) / 2;
    if (!ok) failures.push(`${s.name} grows ${slope.toFixed(2)} MB/min (limit ${s.limit}); its floor rose ${floorRise.toFixed(1)} MB`);
    console.log(
      `| ${s.name} | ${ys[0].toFixed(1)} | ${ys[ys.length - 1].toFixed(1)} | ${slope.toFixed(2)} | ${floorRise.toFixed(1)} | ${s.limit} | ${ok ? 'ok' : '**GROWING**'} |`,
    );
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  const frames = last.frames - first.frames;
  console.log(`\nFrames upscaled during the soak: ${frames} (${(frames / Math.max(1, last.t - first.t)).toFixed(2)} /s; last fps reading ${last.fps}).`);
  if (!(frames > 0)) failures.push('no frames were upscaled during the soak (the loop stalled)');
  // Stalls at the end are as bad as growth: the last interval must still move.
  const prev = samples[samples.length - 2];
  if (prev && !(last.frames > prev.frames)) failures.push(`frames stopped advancing in the last interval (${prev.frames} → ${last.frames})`);
  writeFileSync(`bench/out/upscale-soak${FORCE_GC ? '' : '-nogc'}.json`, JSON.stringify({ size: SIZE, backend: BACKEND, minutes: MINUTES, gc: FORCE_GC, samples }, null, 1));
  if (failures.length) {
    console.error(`\nSOAK FAILED:\n- ${failures.join('\n- ')}`);
    process.exit(1);
  }
  console.error('\nsoak passed: no series grows beyond its limit');
}

main().catch((err) => {
  console.error(`bench/upscale-soak.ts failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
