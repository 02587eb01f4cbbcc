/**
 * The built-in scene dataset in the tab: opened by default after the model, filters with counts,
 * a gallery of generated scenes that classify on click, filters in the link, and the same
 * content hash as the engine under Node.
 */
import { expect, test, type Page } from '@playwright/test';
import { filterIndices, openDataset, type SceneDataset } from '../src/engine/data/datasets';
import { loadTestBanks } from '../tests/synth/banks';
import { lastLogits, openLab } from './helpers';

interface LabWindow {
  __lab: { getState(): { datasetInfo: { sha256: string; count: number; openMs: number } | null; trueLabel: string | null } };
}

let node: SceneDataset;

test.beforeAll(async () => {
  // The same generator under Node: the reference for counts, pixels and the hash (a few seconds).
  node = await openDataset('scenes-test', loadTestBanks());
});

async function datasetReady(page: Page): Promise<void> {
  await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-status', 'ready', { timeout: 90_000 });
  await expect(page.getByTestId('scene-thumb').first()).toBeVisible();
}

/** The RGB bytes drawn on a thumbnail's canvas, sampled back down from 2×. */
async function thumbPixels(page: Page, nth: number): Promise<number[]> {
  return page
    .getByTestId('scene-thumb')
    .nth(nth)
    .locator('canvas')
    .evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const out: number[] = [];
      for (let y = 0; y < c.height; y += 2) for (let x = 0; x < c.width; x += 2) out.push(d[(y * c.width + x) * 4], d[(y * c.width + x) * 4 + 1], d[(y * c.width + x) * 4 + 2]);
      return out;
    });
}

test('the lab opens on the scene dataset; filters, gallery, prediction, link and hash', async ({ page }) => {
  const filter = { class: 'sneaker', color: 'red' } as const;
  const want = filterIndices(node.facets, filter);
  expect(want.length).toBeGreaterThan(0);

  await openLab(page);
  await datasetReady(page);
  await expect(page.getByTestId('dataset-picker')).toHaveValue('scenes-test');
  await expect(page.getByTestId('dataset-count')).toContainText('10000');
  await expect(page.getByTestId('scene-thumb')).toHaveCount(48);

  // The browser generated the same bytes as Node.
  const info = await page.evaluate(() => (window as unknown as LabWindow).__lab.getState().datasetInfo);
  expect(info?.count).toBe(10000);
  expect(info?.sha256).toBe(node.info.sha256);
  await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-sha256', node.info.sha256);
  console.log(`scenes-test generated in the tab in ${info!.openMs} ms (Node: ${node.info.openMs} ms)`);

  // Filter: class sneaker, colour red.
  await expect(page.getByTestId('filter-class').locator('option[value="sneaker"]')).toHaveText('sneaker (1000)');
  await page.getByTestId('filter-class').selectOption('sneaker');
  await expect(page.getByTestId('dataset-count')).toContainText('1000 of 10000');
  await page.getByTestId('filter-color').selectOption('red');
  await expect(page.getByTestId('dataset-count')).toContainText(`${want.length} of 10000`);
  await expect(page.getByTestId('filter-color').locator('option[value="red"]')).toHaveText(`red (${want.length})`);
  const thumbs = page.getByTestId('scene-thumb');
  await expect(thumbs).toHaveCount(Math.min(48, want.length));
  const shown = await thumbs.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))));
  expect(shown).toEqual(want.slice(0, 48));
  await expect(thumbs.first()).toHaveAttribute('title', /sneaker, red/);
  // The thumbnail shows exactly the generated scene.
  expect(await thumbPixels(page, 0)).toEqual(Array.from(node.scene(want[0]).pixels));

  // The link holds the filter.
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/dataset=scenes-test&dclass=sneaker&dcolor=red/);

  // Clicking a scene classifies it, with the scene's class as the true label.
  await thumbs.nth(1).click();
  const logits = await lastLogits(page);
  expect(logits).toHaveLength(10);
  await expect(page.getByText('true: sneaker')).toBeVisible();
  await expect(thumbs.nth(1)).toHaveClass(/selected/);

  // A reload restores the filter, the count and the gallery.
  await page.reload();
  await expect(page.getByTestId('model-status')).toHaveText(/ready/i, { timeout: 90_000 });
  await datasetReady(page);
  await expect(page.getByTestId('filter-class')).toHaveValue('sneaker');
  await expect(page.getByTestId('filter-color')).toHaveValue('red');
  await expect(page.getByTestId('dataset-count')).toContainText(`${want.length} of 10000`);
  await expect(page.getByTestId('scene-thumb').first()).toHaveAttribute('data-index', String(want[0]));
});

test('a link with a page and a background filter opens there; a bad filter value falls back with a notice', async ({ page }) => {
  const want = filterIndices(node.facets, { background: 'foliage' });
  await openLab(page, '#/model?v=1&dataset=scenes-test&dbg=foliage&dpage=2&dtexture=plaid');
  await datasetReady(page);
  await expect(page.getByText(/unknown dataset texture “plaid”/)).toBeVisible();
  await expect(page.getByTestId('filter-background')).toHaveValue('foliage');
  await expect(page.getByTestId('filter-texture')).toHaveValue('');
  await expect(page.getByTestId('dataset-page')).toContainText(`Page 2 of ${Math.ceil(want.length / 48)}`);
  await expect(page.getByTestId('scene-thumb').first()).toHaveAttribute('data-index', String(want[48]));
  await page.getByTestId('dataset-next').click();
  await expect(page.getByTestId('scene-thumb').first()).toHaveAttribute('data-index', String(want[96]));
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/dbg=foliage&dpage=3/);
});

test('generating the dataset does not hold up a prediction (separate worker lanes)', async ({ page }) => {
  await openLab(page);
  const status = page.getByTestId('dataset-status');
  test.skip((await status.getAttribute('data-status')) === 'ready', 'the dataset was ready before the model; nothing to race');
  const t0 = Date.now();
  await page.getByTestId('sample-0').click();
  await lastLogits(page);
  const ms = Date.now() - t0;
  // The prediction came back while the scenes were still being generated.
  await expect(status).toHaveAttribute('data-status', 'loading');
  console.log(`prediction during generation: ${ms} ms`);
  await datasetReady(page);
});
