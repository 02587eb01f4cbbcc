/**
 * A vision transformer's token layer in the tab (WASM): the small ViT fixture (torchvision's
 * VisionTransformer, 64 px, 16 patches and a class token; made by the Vitest global setup) opens
 * from an address, its encoder block's [1,17,64] output is a layer whose units are channels, and a
 * unit shows its exemplars over the built-in scenes with maps on the 4×4 patch grid, its value on
 * the class token apart, and the attribution map of its top exemplar (a gradient through
 * LayerNorm, attention and GELU).
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { colouredPixels } from './helpers';

const LAYER = '/encoder/layers/encoder_layer_1/Add_1_output_0';
const UNIT = 3;
const MODEL_URL = 'fixtures/vit_mini.onnx';
const HASH = `#/exemplars?v=1&model=${encodeURIComponent(MODEL_URL)}&dataset=scenes-test&layer=${encodeURIComponent(LAYER)}&unit=${UNIT}`;

interface TokenState {
  summary: { layers: Array<{ tensor: string; channels: number; shape: number[]; tokens?: { prefix: number; grid: [number, number] } }> } | null;
  exUnit: { unit: number; top: Array<{ value: number; map: { dims: number[] } | null; classToken?: number[] }> } | null;
}
interface LabWindow {
  __lab: { getState(): TokenState };
}

test.setTimeout(20 * 60_000);

test('a ViT token-layer unit: exemplars with patch-grid maps, the class token apart, and an attribution map', async ({ page }) => {
  const bytes = readFileSync('tests/.fixtures/vit_mini.onnx');
  await page.route(`**/${MODEL_URL}`, (route) =>
    route.fulfill({ status: 200, body: bytes, headers: { 'Content-Type': 'application/octet-stream', 'Cross-Origin-Resource-Policy': 'cross-origin' } }),
  );
  await page.goto(`./${HASH}`);

  const exemplars = page.getByTestId('exemplar');
  await expect(exemplars).toHaveCount(15, { timeout: 15 * 60_000 });
  const layer = await page.evaluate((t) => (window as unknown as LabWindow).__lab.getState().summary!.layers.find((l) => l.tensor === t), LAYER);
  expect(layer).toMatchObject({ channels: 64, shape: [1, 17, 64], tokens: { prefix: 1, grid: [4, 4] } });

  // Each exemplar's map is the unit on the 4×4 patch grid, drawn over the image.
  const unit = await page.evaluate(() => (window as unknown as LabWindow).__lab.getState().exUnit!);
  expect(unit.unit).toBe(UNIT);
  for (const item of unit.top) expect(item.map?.dims).toEqual([4, 4]);
  // The class token is shown apart, under each exemplar.
  for (const item of unit.top) expect(item.classToken).toHaveLength(1);
  await expect(exemplars.first().getByTestId('exemplar-cls')).toHaveText(`cls ${unit.top[0].classToken![0].toFixed(2)}`);
  const values = unit.top.map((t) => t.value);
  expect(values).toEqual([...values].sort((a, b) => b - a));
  for (let i = 0; i < 15; i++) await expect(exemplars.nth(i).getByTestId('exemplar-map')).toBeVisible();
  expect(await colouredPixels(exemplars.first().getByTestId('exemplar-map'))).toBeGreaterThan(0);
  await expect(page.getByTestId('unit-tile')).toHaveCount(64);

  // Attribution of the top exemplar for the unit (gradient × input through the transformer).
  const attribution = page.getByTestId('attribution');
  await expect(attribution).toHaveAttribute('data-state', 'ready', { timeout: 10 * 60_000 });
  await expect(page.getByTestId('attribution-map')).toBeVisible();
  // The target is the unit summed over the 16 patch tokens of the top exemplar.
  const value = Number(await page.getByTestId('attribution-value').textContent());
  expect(Number.isFinite(value)).toBe(true);
  expect(value).not.toBe(0);
});
