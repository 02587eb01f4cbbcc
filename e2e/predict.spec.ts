/** The built-in model runs in the tab on WASM and agrees with PyTorch. */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { lastLogits, maxRelDiff, openLab } from './helpers';

interface Reference {
  samples: Array<{ file?: string; logits: number[] }>;
}
// The default model (scenes-balanced) and its sample scenes; the reference holds PyTorch's logits for them.
const reference = JSON.parse(readFileSync('models/scenes-balanced.reference.json', 'utf8')) as Reference;
const labels = JSON.parse(readFileSync('models/scenes-balanced.card.json', 'utf8')).labels as string[];
const samples = JSON.parse(readFileSync('public/samples/scenes/index.json', 'utf8')) as Array<{ file: string; label: string }>;

test('the built-in model predicts a sample on WASM, matching PyTorch', async ({ page }) => {
  await openLab(page, '#/model?v=1&backend=wasm');
  await expect(page.getByTestId('backend')).toContainText('WASM');
  await expect(page.getByTestId('param-count')).not.toBeEmpty();
  expect(await page.getByTestId('layer-row').count()).toBeGreaterThan(5);

  for (const i of [0, 7]) {
    await page.getByTestId(`sample-${i}`).click();
    const logits = await lastLogits(page);
    const ref = reference.samples.find((s) => s.file === samples[i].file)!.logits;
    expect(maxRelDiff(ref, logits)).toBeLessThan(1e-4);
    const best = ref.indexOf(Math.max(...ref));
    await expect(page.getByTestId('prediction-top')).toContainText(labels[best]);
    await expect(page.getByTestId('prediction-row')).toHaveCount(5);
  }
});
