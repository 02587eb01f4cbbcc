/**
 * Time to first exemplars in Debian chromium, cold (fresh browser profile: nothing cached) and
 * from the IndexedDB cache (a reload), with where the time goes as the store records it (first
 * exemplars after navigation, the dataset's open time, the indexing time).
 * Usage: npx tsx bench/exemplarsFirst.ts [--model scenes-balanced] [--layer TENSOR] [--runs 1] [--dist dist]
 * (expects `vite build` output in dist/, or in the folder --dist names).
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
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

async function firstExemplars(page: Page, navigate: () => Promise<unknown>): Promise<{ wallMs: number; marks: Record<string, number>; source: string }> {
  const t0 = Date.now();
  await navigate();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="exemplar"]').length >= 15, undefined, { timeout: 15 * 60_000, polling: 50 });
  const wallMs = Date.now() - t0;
  // Where the time went, from the store: ms after navigation, and the dataset's and indexing's own times.
  const { marks, source } = await page.evaluate(() => {
    const s = (window as unknown as { __lab: { getState(): { exIndexSource: string | null; exFirstExemplarsAt: number | null; exIndexMs: number | null; datasetInfo: { openMs: number } | null } } }).__lab.getState();
    const marks: Record<string, number> = { 'first exemplars (store)': s.exFirstExemplarsAt ?? NaN, 'dataset open took': s.datasetInfo?.openMs ?? NaN };
    if (s.exIndexMs !== null) marks['indexing took'] = s.exIndexMs;
    return { marks, source: String(s.exIndexSource) };
  });
  return { wallMs, marks, source };
}

const fmt = (r: { wallMs: number; marks: Record<string, number>; source: string }) =>
  `${(r.wallMs / 1000).toFixed(2)} s wall (source ${r.source}); ` +
  Object.entries(r.marks)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`)
    .join(', ');

async function main() {
  if (!existsSync(`${DIST}/index.html`)) throw new Error('Run `vite build` first.');
  const server = await startServer({ root: DIST, port: 0 });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const hash = `#/exemplars?v=1&model=${MODEL}&dataset=scenes-test&layer=${encodeURIComponent(LAYER)}&unit=3`;
  console.log(`time to first exemplars: ${MODEL}, ${LAYER}, scenes-test; ${cpus().length}× ${cpus()[0]?.model ?? '?'}; chromium headless, WASM`);
  try {
    for (let r = 0; r < RUNS; r++) {
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
      try {
        const page = await browser.newPage();
        const cold = await firstExemplars(page, () => page.goto(`${base}${hash}`));
        console.log(`cold:   ${fmt(cold)}`);
        // Wait until the index is in IndexedDB, then reload.
        await page.waitForFunction(() => document.querySelector('[data-testid="ex-index-status"]')?.getAttribute('data-cache-state') === 'saved', undefined, { timeout: 120_000 });
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
