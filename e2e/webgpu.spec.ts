/** WebGPU (SwiftShader in headless chromium) gives the same logits as WASM. */
import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import { lastLogits, maxRelDiff, openLab } from './helpers';

test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } });

test('WebGPU gives the same logits as WASM within 1e-4, switching in one page', async ({ page }) => {
  await openLab(page, '#/model?v=1&backend=wasm');
  await expect(page.getByTestId('backend')).toContainText('WASM');
  await page.getByTestId('sample-3').click();
  const wasm = await lastLogits(page);

  // Switching the backend replaces the engine worker and reloads the model on WebGPU.
  await page.evaluate(() => {
    location.hash = '#/model?v=1&backend=webgpu';
  });
  await expect(page.getByTestId('backend')).toContainText('WebGPU', { timeout: 90_000 });
  await expect(page.getByTestId('model-status')).toHaveText(/ready/i);
  await page.getByTestId('sample-3').click();
  const gpu = await lastLogits(page);
  expect(gpu).toHaveLength(wasm.length);
  expect(maxRelDiff(wasm, gpu)).toBeLessThan(1e-4);
});
