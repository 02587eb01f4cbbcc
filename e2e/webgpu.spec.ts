/** WebGPU (SwiftShader in headless chromium) gives the same logits as WASM. */
import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config';
import { lastLogits, maxRelDiff, openLab } from './helpers';

test.use({ launchOptions: { executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } });

test('WebGPU gives the same logits as WASM within 1e-4', async ({ page, context }) => {
  await openLab(page, '#/model?v=1&backend=wasm');
  await page.getByTestId('sample-3').click();
  const wasm = await lastLogits(page);

  const gpuPage = await context.newPage();
  await openLab(gpuPage, '#/model?v=1&backend=webgpu');
  await expect(gpuPage.getByTestId('backend')).toContainText('WebGPU');
  await gpuPage.getByTestId('sample-3').click();
  const gpu = await lastLogits(gpuPage);
  expect(gpu).toHaveLength(wasm.length);
  expect(maxRelDiff(wasm, gpu)).toBeLessThan(1e-4);
});
