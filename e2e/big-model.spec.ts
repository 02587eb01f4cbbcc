/**
 * Models past the old 256 MB limit in the tab: VGG-16 (528 MB, random weights; made by
 * tests/fixtures/make_big.py) from a file and from a URL with download progress, and a model with
 * external data from a multi-file pick and from a URL with its data file beside it. The fixtures
 * are served from a second origin (CORS), as a model host would.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { startServer } from '../scripts/serve.mjs';
import { DEFAULT_MODEL, openLab } from './helpers';

const FIXTURES = 'tests/.fixtures';
let server: Server;
let origin = '';
test.beforeAll(async () => {
  server = (await startServer({ root: FIXTURES, port: 0 })) as Server;
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

async function expectLoaded(page: Page, name: RegExp, layers: RegExp) {
  await expect(page.getByTestId('model-status')).toHaveText(/ready/i, { timeout: 300_000 });
  await expect(page.getByTestId('model-summary')).toContainText(name);
  await expect(page.getByTestId('layer-count')).toHaveText(layers);
}

test.describe.configure({ timeout: 600_000 });

test('a 528 MB model opens from a file; its layer list searches by name', async ({ page }) => {
  await openLab(page, '#/model?v=1&backend=wasm');
  await page.getByTestId('model-file-input').setInputFiles(`${FIXTURES}/vgg16.onnx`);
  await expectLoaded(page, /vgg16\.onnx/, /^\d+ layers$/);
  await page.getByTestId('layer-search').fill('classifier gemm');
  await expect(page.getByTestId('layer-count')).toHaveText(/^3 of \d+ layers$/);
  await expect(page.getByTestId('layer-row')).toHaveCount(3);
  await page.getByTestId('layer-row').last().click();
  await expect(page.getByTestId('layer-row').last()).toHaveAttribute('aria-selected', 'true');
});

test('a 528 MB model opens from a URL with download progress', async ({ page }) => {
  await openLab(page, '#/model?v=1&backend=wasm');
  await page.getByTestId('model-url-input').fill(`${origin}/vgg16.onnx`);
  await page.getByTestId('model-url-load').click();
  await expect(page.getByTestId('load-progress')).toContainText(/Downloading vgg16\.onnx: [\d.]+ (MB|KB) of 528 MB/);
  const fraction = await page.getByTestId('load-progress').locator('progress').evaluate((p: HTMLProgressElement) => p.value);
  expect(fraction).toBeGreaterThan(0);
  await expectLoaded(page, /vgg16\.onnx/, /^\d+ layers$/);
});

test('Cancel stops a large download and keeps the model loaded before', async ({ page }) => {
  await openLab(page, '#/model?v=1&backend=wasm');
  await page.getByTestId('model-url-input').fill(`${origin}/vgg16.onnx`);
  await page.getByTestId('model-url-load').click();
  await expect(page.getByTestId('load-progress')).toContainText(/Downloading vgg16\.onnx/);
  await page.getByTestId('load-progress').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('load-progress')).toHaveCount(0);
  await expect(page.getByTestId('model-status')).toHaveText(/ready/i);
  await expect(page.getByTestId('model-summary')).toContainText(DEFAULT_MODEL);
  await expect(page.getByTestId('notice')).toHaveCount(0);
});

test('a model with external data opens from a multi-file pick and from a URL with its data beside it', async ({ page }) => {
  await openLab(page, '#/model?v=1&backend=wasm');
  await page.getByTestId('model-file-input').setInputFiles([`${FIXTURES}/external/resnet18.onnx`, `${FIXTURES}/external/resnet18.onnx.data`]);
  await expectLoaded(page, /resnet18\.onnx/, /^48 layers$/);
  await page.getByTestId('model-file-input').setInputFiles([`${FIXTURES}/external/resnet18.onnx`]);
  await expect(page.getByTestId('notice').last()).toContainText(/resnet18\.onnx\.data/);
  await page.getByTestId('model-url-input').fill(`${origin}/external/resnet18.onnx`);
  await page.getByTestId('model-url-load').click();
  await expect(page.getByTestId('model-status')).toHaveText(/ready/i);
  await expect(page.getByTestId('load-progress')).toHaveCount(0, { timeout: 120_000 });
  await expect(page.getByTestId('layer-count')).toHaveText(/^48 layers$/);
});
