/**
 * Time to first exemplars in Debian chromium, cold (fresh browser profile: nothing cached) and
 * from the IndexedDB cache (a reload: the unit's saved view is drawn first, then the live view
 * from the cached index replaces it; both times are printed), with where the time goes as the store records it (first
 * exemplars after navigation and how many images they cover — cold, the first exemplars are the
 * partial ones after the first indexing chunk —, the dataset's open time, the indexing time, and
 * when the complete index was in).
 * Usage: npx tsx bench/exemplarsFirst.ts [--model scenes-balanced] [--layer TENSOR] [--runs 1] [--dist dist] [--profile DIR]
 * (expects `vite build` output in dist/, or in the folder --dist names). `--profile` keeps the
 * browser profile in DIR: a second run's first visit is then cached too (to profile the cached path).
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../playwright.config';
import { startServer } from '../scripts/serve.mjs';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MODEL = arg('model', 'scenes-balanced');
const LAYER = arg('layer', '/stage3/block0/relu2/Relu_output_0');
const RUNS = Number(arg('runs', '1'));
const DIST = arg('dist', 'dist');
const PROFILE = arg('profile', '');

interface Marks {
  /** Navigation to 15 exemplars drawn (a saved view counts), and to the worker's live view. */
  wallMs: number;
  liveMs: number;
  marks: Record<string, number>;
  source: string;
  /** Images the first exemplars were ranked over, of the dataset's count. */
  covered: string;
}

interface StoreView {
  exIndexSource: string | null;
  exFirstExemplarsAt: number | null;
  exIndexMs: number | null;
  exUnit: { done: number; count: number } | null;
  exSnapshot: object | null;
  exViewSaved: string | null;
  datasetInfo: { openMs: number } | null;
}

/**
 * Records (in the page, every 10 ms) when the store first reached each step of the way to the
 * first exemplars, in ms after the page's time origin: the timeline printed with each figure.
 * A string, not a function: tsx would wrap a function's inner functions in a helper the page lacks.
 */
const TIMELINE = `(() => {
  const steps = {};
  window.__steps = steps;
  const mark = (name, reached) => reached && steps[name] === undefined && (steps[name] = performance.now());
  const tick = () => {
    const s = window.__lab && window.__lab.getState();
    if (s) {
      mark('store', true);
      mark('model', s.summary !== null);
      mark('dataset', s.datasetStatus === 'ready');
      mark('index lookup', s.exIndexStatus === 'checking');
      mark('indexing', s.exIndexStatus === 'indexing');
      mark('index ready', s.exIndexStatus === 'ready');
      mark('saved view', s.exSnapshot !== null);
      mark('unit', s.exUnit !== null);
      mark('live unit', s.exUnit !== null && s.exSnapshot === null);
    }
    mark('15 exemplars drawn', document.querySelectorAll('[data-testid="exemplar"]').length >= 15);
    if (steps['15 exemplars drawn'] === undefined || steps['live unit'] === undefined) setTimeout(tick, 10);
  };
  tick();
})();`;

async function firstExemplars(page: Page, navigate: () => Promise<unknown>): Promise<Marks> {
  const t0 = Date.now();
  await navigate();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="exemplar"]').length >= 15, undefined, { timeout: 15 * 60_000, polling: 50 });
  const wallMs = Date.now() - t0;
  await page.waitForFunction(() => {
    const st = (window as unknown as { __lab: { getState(): StoreView } }).__lab.getState();
    return st.exUnit !== null && st.exSnapshot === null;
  }, undefined, { timeout: 15 * 60_000, polling: 20 });
  const liveMs = Date.now() - t0;
  // Where the time went, from the store: ms after the page's time origin, and the dataset's own time.
  const s = await page.evaluate(() => {
    const st = (window as unknown as { __lab: { getState(): StoreView } }).__lab.getState();
    const steps = (window as unknown as { __steps: Record<string, number> }).__steps;
    return { first: st.exFirstExemplarsAt, openMs: st.datasetInfo?.openMs ?? null, unit: st.exUnit && { done: st.exUnit.done, count: st.exUnit.count }, source: st.exIndexSource, steps };
  });
  return {
    wallMs,
    liveMs,
    marks: { ...s.steps, 'first exemplars (store)': s.first ?? NaN, 'dataset open took': s.openMs ?? NaN },
    source: String(s.source),
    covered: s.unit ? `${s.unit.done}/${s.unit.count}` : '?',
  };
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const fmt = (r: Marks) =>
  `${(r.wallMs / 1000).toFixed(2)} s wall to 15 exemplars drawn, ${(r.liveMs / 1000).toFixed(2)} s to the live view (source ${r.source}, over ${r.covered} images); ` +
  Object.entries(r.marks)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`)
    .join(', ') +
  `; load average ${load()}`;

async function main() {
  if (!existsSync(`${DIST}/index.html`)) throw new Error('Run `vite build` first.');
  // A kept profile needs a fixed origin: IndexedDB is per origin (port included).
  const server = await startServer({ root: DIST, port: PROFILE ? 5199 : 0 });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const hash = `#/exemplars?v=1&model=${MODEL}&dataset=scenes-test&layer=${encodeURIComponent(LAYER)}&unit=3`;
  console.log(`time to first exemplars: ${MODEL}, ${LAYER}, scenes-test; ${cpus().length}× ${cpus()[0]?.model ?? '?'}; chromium headless, WASM`);
  try {
    for (let r = 0; r < RUNS; r++) {
      const options = { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true };
      const browser = PROFILE ? await chromium.launchPersistentContext(PROFILE, options) : await chromium.launch(options);
      try {
        const page = await browser.newPage();
        await page.addInitScript({ content: TIMELINE });
        const t0 = Date.now();
        const cold = await firstExemplars(page, () => page.goto(`${base}${hash}`));
        console.log(`${PROFILE ? 'first:' : 'cold: '}  ${fmt(cold)}`);
        // Wait until the whole dataset is indexed and the index is in IndexedDB, then reload.
        await page.waitForFunction(() => document.querySelector('[data-testid="ex-index-status"]')?.getAttribute('data-cache-state') === 'saved', undefined, { timeout: 30 * 60_000 });
        // ... and the unit's complete view kept for the revisit.
        await page.waitForFunction(() => (window as unknown as { __lab: { getState(): StoreView } }).__lab.getState().exViewSaved !== null, undefined, { timeout: 60_000 });
        const indexMs = await page.evaluate(() => (window as unknown as { __lab: { getState(): StoreView } }).__lab.getState().exIndexMs);
        console.log(`        complete index cached ${((Date.now() - t0) / 1000).toFixed(1)} s after navigation; indexing took ${((indexMs ?? NaN) / 1000).toFixed(1)} s; load average ${load()}`);
        const cached = await firstExemplars(page, () => page.reload());
        console.log(`cached: ${fmt(cached)}`);
      } finally {
        await browser.close();
      }
    }
  } finally {
    server.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
