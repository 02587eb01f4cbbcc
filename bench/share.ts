/**
 * Shared links, cold: the time from opening a link in a fresh browser profile (no HTTP cache, no
 * IndexedDB) to its view drawn, per panel, as a ratio to opening the bare lab (the model panel
 * ready) measured in the same run; and the size of typical experiment files.
 *   npx vite build --outDir dist-share && npx tsx bench/share.ts dist-share
 */
import { statSync } from 'node:fs';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../playwright.config';
import { serveBench } from './benchPage';
import { buildExperiment, serializeExperiment } from '../src/engine/experiment/codec';

const LAYER = encodeURIComponent('/stage3/block0/relu2/Relu_output_0');
const CASES: Array<{ name: string; hash: string; drawn: (page: Page) => Promise<unknown> }> = [
  { name: 'bare lab (model panel ready) — baseline', hash: '#/model?v=1&model=placeholder-fmnist', drawn: (p) => p.getByTestId('model-status').filter({ hasText: /ready/i }).waitFor({ timeout: 300_000 }) },
  { name: 'upscale: exp= file (FREDSR on a photo)', hash: '#/upscale?v=1&exp=examples%2Ffredsr-photo.labexp.json', drawn: (p) => p.getByTestId('upscale-psnr').waitFor({ timeout: 300_000 }) },
  { name: 'circuits: link (k=3, 8 examples)', hash: '#/circuits?v=1&model=placeholder-fmnist&concept=class%3Acoat&k=3&examples=8&random=0', drawn: (p) => p.getByTestId('circuit-graph').waitFor({ timeout: 300_000 }) },
  { name: 'exemplars: unit link (indexes the layer)', hash: `#/exemplars?v=1&model=placeholder-fmnist&dataset=scenes-test&layer=${LAYER}&unit=3`, drawn: (p) => p.locator('[data-testid="unit-view"][data-state="ready"]').waitFor({ timeout: 600_000 }) },
];

async function main(): Promise<void> {
  const root = process.argv[2] ?? 'dist';
  const { baseUrl, server } = await serveBench(root);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const rows: Array<{ name: string; ms: number }> = [];
  try {
    for (const c of CASES) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${baseUrl}${c.hash}`);
      await c.drawn(page);
      rows.push({ name: c.name, ms: performance.now() - t0 });
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  const base = rows[0].ms;
  console.log('cold link → view drawn (fresh profile each; 2-core VM, WASM):');
  for (const r of rows) console.log(`  ${r.name.padEnd(48)} ${(r.ms / 1000).toFixed(1).padStart(6)} s  ×${(r.ms / base).toFixed(2)}`);

  const rgba = (w: number, h: number) => ({ width: w, height: h, channels: 4 as const, data: new Uint8Array(w * h * 4).map((_, i) => (i * 31) & 255) });
  const model = { name: 'scenes-balanced', sha256: 'a'.repeat(64), builtin: 'scenes-balanced' };
  const link = `#/exemplars?v=1&model=scenes-balanced&layer=${LAYER}&unit=3`;
  const linkOnly = serializeExperiment(buildExperiment({ link, model })).length;
  const withTry = serializeExperiment(buildExperiment({ link, model, images: [{ role: 'try', name: 'drawn.png', image: rgba(64, 64) }] })).length;
  console.log('experiment file sizes:');
  console.log(`  link only ${linkOnly} B (baseline) · with a drawn 64×64 try-it image ${withTry} B (×${(withTry / linkOnly).toFixed(1)})`);
  console.log(`  the shipped FREDSR example (216×162 RGB photo crop) ${statSync('public/examples/fredsr-photo.labexp.json').size} B`);
}

void main();
