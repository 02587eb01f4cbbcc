/** Bad input gets a clear notice and loses nothing: the loaded model stays usable. */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { DEFAULT_MODEL, openLab } from './helpers';

let dir = '';
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-e2e-'));
  writeFileSync(join(dir, 'random.onnx'), Buffer.from(Array.from({ length: 20000 }, (_, i) => (i * 7919 + 13) % 256)));
  // A sparse 1.5 GB file: past what a tab holds (1 GB), cheap on disk.
  const fd = openSync(join(dir, 'huge.onnx'), 'w');
  ftruncateSync(fd, 1536 * 2 ** 20);
  closeSync(fd);
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectStillUsable(page: Page, modelName: RegExp) {
  await expect(page.getByTestId('model-summary')).toContainText(modelName);
  await page.getByTestId('sample-1').click();
  await expect(page.getByTestId('prediction-top')).not.toBeEmpty();
}

test('a random-bytes .onnx is refused with a notice; the built-in model stays', async ({ page }) => {
  await openLab(page);
  await page.getByTestId('model-file-input').setInputFiles(join(dir, 'random.onnx'));
  const notice = page.getByTestId('notice').filter({ hasText: /ONNX|model/i }).last();
  await expect(notice).toHaveAttribute('data-level', 'error');
  await expect(notice).toContainText(/not a readable ONNX model|truncated|not an .onnx/i);
  await expectStillUsable(page, DEFAULT_MODEL);
});

test('a model without an image input is refused, naming its inputs', async ({ page }) => {
  await openLab(page);
  // Made by the Vitest global setup (tests/fixtures/make_torchvision.py), which npm test runs first.
  await page.getByTestId('model-file-input').setInputFiles('tests/.fixtures/no_image_input.onnx');
  const notice = page.getByTestId('notice').last();
  await expect(notice).toContainText(/no image input/i);
  await expect(notice).toContainText(/float\[/);
  await expectStillUsable(page, DEFAULT_MODEL);
});

test('a 1.5 GB file is refused before it is read, with the number and what to do', async ({ page }) => {
  await openLab(page);
  await page.getByTestId('model-file-input').setInputFiles(join(dir, 'huge.onnx'));
  await expect(page.getByTestId('notice').last()).toContainText(/1\.5 GB.*1 GB.*`lab`.*fp16/);
  await expectStillUsable(page, DEFAULT_MODEL);
});

test('an unreachable URL and a non-model URL give clear notices', async ({ page }) => {
  await openLab(page);
  await page.getByTestId('model-url-input').fill('http://127.0.0.1:9/model.onnx');
  await page.getByTestId('model-url-load').click();
  await expect(page.getByTestId('notice').last()).toContainText(/could not reach|unreachable|network/i);
  await page.getByTestId('model-url-input').fill('index.html');
  await page.getByTestId('model-url-load').click();
  await expect(page.getByTestId('notice').last()).toContainText(/HTML|not an ONNX|not a readable/i);
  await expectStillUsable(page, DEFAULT_MODEL);
});

test('a hostile link falls back to defaults with a visible notice', async ({ page }) => {
  await page.goto('./#/nowhere?v=1&unit=-3&model=javascript:alert(1)&layer=%E0%A4%A');
  await expect(page.getByTestId('model-status')).toHaveText(/ready/i, { timeout: 90_000 });
  await expect(page.getByTestId('notice').first()).toHaveAttribute('data-level', 'warning');
  await expect(page.getByTestId('panel-model')).toBeVisible();
});

test('the URL mirrors the selected layer and a reload restores it', async ({ page }) => {
  await openLab(page, '#/model');
  const row = page.getByTestId('layer-row').nth(2);
  const tensor = await row.getAttribute('data-tensor');
  await row.click();
  await expect(page).toHaveURL(new RegExp(`layer=${encodeURIComponent(tensor!).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  await page.reload();
  await expect(page.getByTestId('model-status')).toHaveText(/ready/i, { timeout: 90_000 });
  await expect(page.locator(`[data-testid="layer-row"][data-tensor="${tensor}"]`)).toHaveAttribute('aria-selected', 'true');
});
