/**
 * The Exemplars panel in the tab: a link opens a unit of the built-in model; the layer is indexed
 * over the 10,000 built-in scenes (progress; partial exemplars, labelled so, after the first chunk;
 * then the unit view with 15 top exemplars over every scene, each with its activation map, and the
 * histogram); "try it" runs an uploaded image through the unit; a reload shows the exemplars from
 * the browser's cache without indexing again and without generating the dataset again.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { colouredPixels } from './helpers';

const LAYER = '/stage3/block0/relu2/Relu_output_0'; // stage3.block0.relu2: 64 units, 16×16 maps
const UNIT = 3;
const HASH = `#/exemplars?v=1&model=placeholder-fmnist&dataset=scenes-test&layer=${encodeURIComponent(LAYER)}&unit=${UNIT}`;

interface ExState {
  exIndexSource: string | null;
  exIndexMs: number | null;
  exFirstExemplarsAt: number | null;
  exProgress: { imagesPerSecond: number } | null;
  exIndexStatus: string;
  exUnit: { unit: number; done: number; count: number; top: Array<{ index: number; value: number; image: { width: number; height: number; channels: number; data: Uint8Array } }> } | null;
  datasetInfo: { count: number; sha256: string; remembered?: boolean } | null;
}
interface LabWindow {
  __lab: { getState(): ExState };
}

const state = (page: Page) => page.evaluate(() => {
  const s = (window as unknown as LabWindow).__lab.getState();
  return {
    source: s.exIndexSource,
    indexMs: s.exIndexMs,
    firstAt: s.exFirstExemplarsAt,
    rate: s.exProgress?.imagesPerSecond ?? null,
    count: s.datasetInfo?.count ?? null,
    sha256: s.datasetInfo?.sha256 ?? null,
    remembered: s.datasetInfo?.remembered ?? null,
    status: s.exIndexStatus,
    unit: s.exUnit?.unit ?? null,
    covered: s.exUnit ? [s.exUnit.done, s.exUnit.count] : null,
    top: s.exUnit ? s.exUnit.top.map((t) => ({ index: t.index, value: t.value })) : [],
  };
});

test.setTimeout(15 * 60_000);

test('exemplars by link: index cold, unit view with maps and histogram, try it, reload from the cache', async ({ page }) => {
  const logs: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && logs.push(m.text()));

  // Cold: nothing cached in this fresh browser context.
  const t0 = Date.now();
  await page.goto(`./${HASH}`);
  const status = page.getByTestId('ex-index-status');
  await expect(status).toHaveAttribute('data-status', 'indexing', { timeout: 180_000 });
  await expect(page.getByTestId('ex-index-rate')).toContainText(/images\/s · ETA/, { timeout: 60_000 });
  await expect(page.getByTestId('ex-index-cancel')).toBeVisible();

  // The first exemplars are partial (the first chunk of scenes), and say so while indexing goes on.
  const exemplars = page.getByTestId('exemplar');
  await expect(exemplars).toHaveCount(15, { timeout: 12 * 60_000 });
  const firstMs = Date.now() - t0;
  const partial = await state(page);
  expect(partial.status).toBe('indexing');
  expect(partial.covered![0]).toBeLessThan(partial.covered![1]);
  await expect(page.getByTestId('ex-unit-partial')).toContainText(`of ${partial.covered![1]} images`);
  await expect(page.getByTestId('ex-partial')).toBeVisible();

  // Then every scene: the complete unit view replaces the partial one.
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 12 * 60_000 });
  await expect.poll(async () => (await state(page)).covered, { timeout: 60_000 }).toEqual([10000, 10000]);
  await expect(page.getByTestId('ex-unit-partial')).toHaveCount(0);
  await expect(exemplars).toHaveCount(15);
  const coldMs = Date.now() - t0;
  const cold = await state(page);
  expect(cold.source).toBe('indexed');
  expect(cold.unit).toBe(UNIT);
  expect(cold.remembered).toBe(false);
  await expect(status).toHaveAttribute('data-cached', 'false');

  // Every top exemplar has its map (and a masked version); values fall from the first to the last.
  for (let i = 0; i < 15; i++) {
    await expect(exemplars.nth(i).getByTestId('exemplar-map')).toBeVisible();
    await expect(exemplars.nth(i).getByTestId('exemplar-masked')).toBeVisible();
  }
  const values = cold.top.map((t) => t.value);

  // The CLI (onnxruntime-node, the same generator in Node) finds the same top-15, in order.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['bin/lab.mjs', 'exemplars', 'models/placeholder-fmnist.onnx', 'scenes-test', '--layer', LAYER, '--units', String(UNIT), '--k', '15', '--json'],
    { maxBuffer: 2 ** 26 },
  );
  const cli = JSON.parse(stdout).units[0].top as Array<{ index: number; value: number }>;
  expect(cli.map((t) => t.index)).toEqual(cold.top.map((t) => t.index));
  cli.forEach((t, i) => expect(t.value).toBeCloseTo(values[i], 4));
  expect(values).toEqual([...values].sort((a, b) => b - a));
  await expect(exemplars.first().getByTestId('exemplar-value')).toHaveText(values[0].toFixed(3));
  // The heatmap is not the bare image: the overlay changed pixels.
  expect(await colouredPixels(exemplars.first().getByTestId('exemplar-map'))).toBeGreaterThan(0);
  await expect(page.getByTestId('unit-histogram').locator('.recharts-bar-rectangle').first()).toBeAttached();
  await expect(page.getByTestId('unit-description')).not.toBeEmpty();
  await expect(page.getByTestId('unit-stats')).toContainText('mean');
  await expect(page.getByTestId('unit-tile')).toHaveCount(64);
  await expect(page.getByTestId('exemplars-bottom').getByTestId('exemplar-bottom')).toHaveCount(15);

  // Try it: the best exemplar's own pixels as a PNG give the best exemplar's value.
  const best = await page.evaluate(() => {
    const t = (window as unknown as LabWindow).__lab.getState().exUnit!.top[0];
    return { width: t.image.width, height: t.image.height, channels: t.image.channels, data: Array.from(t.image.data) };
  });
  const png = new PNG({ width: best.width, height: best.height });
  for (let p = 0; p < best.width * best.height; p++) {
    for (let c = 0; c < 3; c++) png.data[p * 4 + c] = best.data[p * best.channels + c];
    png.data[p * 4 + 3] = 255;
  }
  await page.getByTestId('tryit-input').setInputFiles({ name: 'best.png', mimeType: 'image/png', buffer: PNG.sync.write(png) });
  await expect(page.getByTestId('tryit-value')).toHaveText(values[0].toFixed(3));
  await expect(page.getByTestId('tryit-exemplar').getByTestId('exemplar-map')).toBeVisible();

  // The index is written to IndexedDB; a reload shows the exemplars from it without indexing.
  await expect(status).toHaveAttribute('data-cache-state', 'saved', { timeout: 60_000 });
  const t1 = Date.now();
  await page.reload();
  await expect(page.getByTestId('exemplar')).toHaveCount(15, { timeout: 180_000 });
  const cachedMs = Date.now() - t1;
  // What is drawn first may be the unit's saved view (exemplars-draw.spec.ts): wait for the live one.
  await expect(page.getByTestId('unit-snapshot-badge')).toHaveCount(0, { timeout: 180_000 });
  await expect(status).toHaveAttribute('data-cached', 'true');
  const warm = await state(page);
  expect(warm.source).toBe('cache');
  expect(warm.indexMs).toBeNull();
  expect(warm.top).toEqual(cold.top);
  // The dataset was not generated again: its hash and facets came from the worker's memo.
  expect(warm.remembered).toBe(true);
  expect(warm.sha256).toBe(cold.sha256);

  const rate = cold.indexMs ? (cold.count! * 1000) / cold.indexMs : NaN;
  console.log(
    `exemplars: cold indexing ${cold.count} scenes in ${(cold.indexMs! / 1000).toFixed(1)} s (${rate.toFixed(0)} images/s in the tab); ` +
      `first (partial) exemplars cold ${(firstMs / 1000).toFixed(1)} s after navigation (store: ${(cold.firstAt! / 1000).toFixed(1)} s), complete ${(coldMs / 1000).toFixed(1)} s, ` +
      `from the cache ${(cachedMs / 1000).toFixed(1)} s (store: ${(warm.firstAt! / 1000).toFixed(1)} s)`,
  );
  expect(logs.filter((l) => /could not be cached|could not be read/.test(l))).toEqual([]);
});
