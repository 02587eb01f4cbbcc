/**
 * Gradients in the tab (WASM): a link opens a unit of the built-in model with a feature-
 * visualisation seed; the unit view shows the attribution map of its top exemplar (gradient ×
 * input; integrated gradients with a completeness gap of a few %; a logit target), and the feature
 * visualisation (objective: the spatial max) runs by itself with live progress and beats the best
 * exemplar. An attribution asked for while a visualisation runs answers before it ends (the worker
 * serves it between two steps). The objective goes into the link (fvobj); reloading the link
 * reproduces the same images and activations from the seed.
 */
import { expect, test, type Page } from '@playwright/test';

const LAYER = '/stage3/block0/relu2/Relu_output_0'; // stage3.block0.relu2: 64 units, 16×16 maps
const UNIT = 3;
const SEED = 5;
const HASH = `#/exemplars?v=1&model=placeholder-fmnist&dataset=scenes-test&layer=${encodeURIComponent(LAYER)}&unit=${UNIT}&fvseed=${SEED}`;

interface FvState {
  fvStatus: string;
  fvResult: { seed: number; activation: number[]; images: Array<{ data: Uint8Array }> } | null;
  exUnit: { stats: { max: number } } | null;
}
interface LabWindow {
  __lab: { getState(): FvState };
}

const featvis = (page: Page) =>
  page.evaluate(() => {
    const s = (window as unknown as LabWindow).__lab.getState();
    const r = s.fvResult;
    return {
      status: s.fvStatus,
      seed: r?.seed ?? null,
      activation: r?.activation ?? [],
      images: r ? r.images.map((i) => Array.from(i.data)) : [],
      best: s.exUnit?.stats.max ?? null,
    };
  });

test.setTimeout(20 * 60_000);

test('a unit by link: attribution map, feature visualisation with progress, the seed in the link reproduces it', async ({ page }) => {
  await page.goto(`./${HASH}`);
  await expect(page.getByTestId('exemplar')).toHaveCount(15, { timeout: 12 * 60_000 });
  expect(page.url()).toContain(`fvseed=${SEED}`);

  // Attribution of the top exemplar for the unit: gradient × input first.
  const attribution = page.getByTestId('attribution');
  await expect(attribution).toHaveAttribute('data-state', 'ready', { timeout: 10 * 60_000 });
  await expect(page.getByTestId('attribution-target')).toHaveText('unit (sum)');
  await expect(page.getByTestId('attribution-map')).toBeVisible();
  await expect(page.getByTestId('attribution-legend')).toBeVisible();
  const unitValue = Number(await page.getByTestId('attribution-value').textContent());
  expect(unitValue).toBeGreaterThan(0);
  // The seed in the link started the feature visualisation: live progress, then the images.
  const fv = page.getByTestId('featvis');
  await expect(page.getByTestId('featvis-seed')).toHaveValue(String(SEED));
  await expect(page.getByTestId('featvis-objective')).toHaveValue('max');
  await expect(fv).toHaveAttribute('data-status', /running|done/, { timeout: 60_000 });
  if ((await fv.getAttribute('data-status')) === 'running') await expect(page.getByTestId('featvis-progress')).toContainText(/step \d+ \/ 256/);
  await expect(fv).toHaveAttribute('data-status', 'done', { timeout: 10 * 60_000 });
  await expect(page.getByTestId('featvis-image')).toHaveCount(4);
  const first = await featvis(page);
  expect(first.seed).toBe(SEED);
  console.log(`[e2e] featvis activations ${first.activation.map((v) => v.toFixed(3)).join(', ')} vs best exemplar ${first.best?.toFixed(3)}`);
  await expect(page.getByTestId('featvis-verdict')).toHaveAttribute('data-beats', 'true');
  expect(Math.max(...first.activation)).toBeGreaterThan(first.best!);
  const reached = Number(await page.getByTestId('featvis-reached').textContent());
  expect(reached).toBeCloseTo(Math.max(...first.activation), 3);
  await expect(page.getByTestId('featvis-verdict')).toContainText('max objective');

  // The same visualisation again; integrated gradients (blurred baseline, 32 steps) asked for
  // while it runs answer before it ends, with a completeness gap within a few %.
  await page.getByTestId('featvis-run').click();
  await expect(page.getByTestId('featvis-progress')).toContainText(/step \d+ \/ 256/, { timeout: 60_000 });
  await page.getByTestId('attr-method').selectOption('integrated-gradients');
  await expect(page.getByTestId('attribution-gap')).toBeVisible({ timeout: 120_000 });
  expect(await fv.getAttribute('data-status')).toBe('running');
  console.log(`[e2e] integrated gradients ready at visualisation ${await page.getByTestId('featvis-progress').textContent()}`);
  await expect(fv).toHaveAttribute('data-status', 'done', { timeout: 10 * 60_000 });
  expect((await featvis(page)).images).toEqual(first.images);
  const gap = Number((await page.getByTestId('attribution-gap').textContent())!.replace('%', ''));
  expect(gap).toBeLessThan(5);
  // A class logit as the target.
  await page.getByTestId('attr-target').selectOption('2');
  await expect(page.getByTestId('attribution-target')).toHaveText(/^logit /, { timeout: 120_000 });
  await expect(page.getByTestId('attribution-gap')).toBeVisible();
  expect(Number(await page.getByTestId('attribution-value').textContent())).not.toBeCloseTo(unitValue, 3);

  // The objective is in the link (the default, max, is left out of it).
  expect(page.url()).not.toContain('fvobj=');
  await page.getByTestId('featvis-objective').selectOption('mean');
  await expect.poll(() => page.url()).toContain('fvobj=mean');
  await expect(fv).toHaveAttribute('data-status', 'running', { timeout: 60_000 }); // the link's seed runs it
  await page.getByTestId('featvis-cancel').click();
  await expect(fv).toHaveAttribute('data-status', 'cancelled', { timeout: 60_000 });
  await page.getByTestId('featvis-objective').selectOption('max');
  await expect.poll(() => page.url()).not.toContain('fvobj=');

  // The same link again (a fresh page): the seed gives the same images and activations.
  await page.reload();
  await expect(page.getByTestId('exemplar')).toHaveCount(15, { timeout: 5 * 60_000 });
  await expect(page.getByTestId('featvis')).toHaveAttribute('data-status', 'done', { timeout: 10 * 60_000 });
  const second = await featvis(page);
  expect(second.seed).toBe(SEED);
  expect(second.activation).toEqual(first.activation);
  expect(second.images).toEqual(first.images);
});
