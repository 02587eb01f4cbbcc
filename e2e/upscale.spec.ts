/**
 * The Upscale panel in chromium (WASM): an uploaded image comes out 3× and matches
 * onnxruntime-node's result; an HR image gives PSNR/SSIM against bicubic; a sample photo upscales
 * with one click; cancel stops a tiled run;
 * a classifier offered as an upscaler is refused and FREDSR stays; without a camera the webcam mode
 * says so and the image mode still works; on WebGPU the pixels match WASM's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { encodePng } from '../src/cli/encodePng';
import { nodeRuntime } from '../src/engine/runtime/node';
import { resizeBicubic } from '../src/engine/upscale/bicubic';
import { cropImage } from '../src/engine/upscale/compare';
import { Upscaler } from '../src/engine/upscale/upscaler';
import { fredsrBytes, photoCrop } from '../tests/upscale/photo';
import { CHROMIUM_ARGS } from '../playwright.config';
import { openLab } from './helpers';

// WebGPU (SwiftShader here) is exposed for the last test; the others ask for WASM in their links.
test.use({ launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'] } });

const dir = mkdtempSync(join(tmpdir(), 'lab-e2e-upscale-'));
function pngFile(name: string, width: number, height: number, dx = 0, dy = 0): string {
  const path = join(dir, name);
  writeFileSync(path, encodePng(photoCrop(width, height, dx, dy)));
  return path;
}

interface UpState {
  upStatus: string;
  upRunning: boolean;
  upResult: { output: { width: number; height: number; data: Uint8ClampedArray } } | null;
}
interface LabWindow {
  __lab: { getState(): UpState };
}

async function openUpscale(page: Page): Promise<void> {
  await openLab(page, '#/upscale?v=1&backend=wasm');
  await expect(page.getByTestId('upscaler-status')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('upscaler-info')).toContainText(/fredsr\.onnx · 3× · .* parameters · WASM/);
}

test('an uploaded image comes out 3×, equal to onnxruntime-node’s upscale within 2/255', async ({ page }) => {
  test.setTimeout(240_000);
  await openUpscale(page);
  const file = pngFile('lr.png', 150, 100, -400, 200);
  await page.getByTestId('upscale-lr-input').setInputFiles(file);
  await expect(page.getByTestId('upscale-size')).toHaveText('150×100 → 450×300');
  const canvas = page.getByTestId('upscale-output');
  await expect(canvas).toHaveAttribute('width', '450');
  await expect(canvas).toHaveAttribute('height', '300');
  await expect(page.getByTestId('upscale-bicubic')).toHaveAttribute('width', '450');
  // What the canvas shows is what the worker returned.
  const drawn = await canvas.evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data));
  const tab = await page.evaluate(() => Array.from((window as unknown as LabWindow).__lab.getState().upResult!.output.data));
  expect(drawn.length).toBe(450 * 300 * 4);
  expect(drawn).toEqual(tab);
  const up = await Upscaler.open(nodeRuntime(), fredsrBytes(), 'fredsr.onnx');
  try {
    const node = await up.upscale(photoCrop(150, 100, -400, 200));
    let max = 0;
    for (let i = 0; i < node.data.length; i++) max = Math.max(max, Math.abs(node.data[i] - tab[i]));
    expect(max).toBeLessThanOrEqual(2);
  } finally {
    await up.release();
  }
  // The split slider moves the boundary between bicubic and the model.
  await page.getByTestId('upscale-split').fill('20');
  await expect(canvas).toHaveCSS('clip-path', 'inset(0px 0px 0px 20%)');
  const download = page.waitForEvent('download');
  await page.getByTestId('upscale-download').click();
  expect((await download).suggestedFilename()).toBe('lr-fredsr-x3.png');
});

test('an HR image is downscaled 3× as the input and gives PSNR/SSIM against bicubic; the same pair given as LR + HR gives the same figures', async ({ page }) => {
  await openUpscale(page);
  await page.getByTestId('upscale-hr-input').setInputFiles(pngFile('hr.png', 301, 241, 200, -300));
  await expect(page.getByTestId('upscale-size')).toHaveText('100×80 → 300×240');
  const table = page.getByTestId('upscale-metrics');
  await expect(table).toContainText('bicubic');
  const psnr = Number(await page.getByTestId('upscale-psnr').textContent());
  const ssim = Number(await page.getByTestId('upscale-ssim').textContent());
  expect(psnr).toBeGreaterThan(20);
  expect(psnr).toBeLessThan(60);
  expect(ssim).toBeGreaterThan(0.5);
  expect(ssim).toBeLessThanOrEqual(1);

  // The same pair given as an LR input plus its HR file gives the same figures.
  const hr = cropImage(photoCrop(301, 241, 200, -300), { x: 0, y: 0, width: 300, height: 240 });
  const lrPath = join(dir, 'pair-lr.png');
  writeFileSync(lrPath, encodePng(resizeBicubic(hr, 100, 80)));
  const hrPath = join(dir, 'pair-hr.png');
  writeFileSync(hrPath, encodePng(hr));
  await page.getByTestId('upscale-lr-input').setInputFiles(lrPath);
  await expect(page.getByTestId('upscale-size')).toHaveText('100×80 → 300×240');
  await expect(page.getByTestId('upscale-metrics')).toHaveCount(0);
  await page.getByTestId('upscale-truth-input').setInputFiles(hrPath);
  await expect(page.getByTestId('upscale-psnr')).toHaveText(psnr.toFixed(2));
  await expect(page.getByTestId('upscale-ssim')).toHaveText(ssim.toFixed(4));
});

test('a sample photo upscales with one click (downscaled 3×, FREDSR above bicubic on it); the page asks for no missing file, the icon included', async ({ page }) => {
  const failed: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  await openUpscale(page);
  const sample = page.getByTestId('upscale-sample-0');
  await expect(sample).toContainText(/Dragonfly.*© "Bolly", 2018 · CC-BY-SA-4\.0/);
  await sample.click();
  await expect(page.getByTestId('upscale-size')).toHaveText('216×162 → 648×486');
  await expect(page.getByTestId('upscale-metrics')).toBeVisible();
  const metrics = await page.evaluate(() => (window as unknown as { __lab: { getState(): { upResult: { metrics: { psnr: number; psnrBicubic: number } } } } }).__lab.getState().upResult.metrics);
  expect(metrics.psnr).toBeGreaterThan(metrics.psnrBicubic);
  await expect(sample).toHaveClass(/selected/);
  const icon = await page.request.get('favicon.ico');
  expect([icon.status(), icon.headers()['content-type']]).toEqual([200, 'image/x-icon']);
  expect(failed).toEqual([]);
});

test('cancel stops a tiled upscale; a classifier is refused as an upscaler and FREDSR stays', async ({ page }) => {
  await openUpscale(page);
  await page.getByTestId('upscale-tile').selectOption('64');
  await page.getByTestId('upscale-lr-input').setInputFiles(pngFile('big.png', 900, 600));
  await expect(page.getByTestId('upscale-progress')).toBeVisible();
  await page.getByTestId('upscale-cancel').click();
  await expect(page.getByTestId('upscale-progress')).toHaveCount(0);
  await page.waitForTimeout(500);
  expect(await page.evaluate(() => (window as unknown as LabWindow).__lab.getState().upResult)).toBeNull();

  await page.getByTestId('upscaler-file').setInputFiles(join(process.cwd(), 'models', 'placeholder-fmnist.onnx'));
  await expect(page.locator('.notice').filter({ hasText: /logits|not an upscaler|\[N,3,sH,sW\]/ }).first()).toBeVisible();
  await expect(page.getByTestId('upscaler-status')).toHaveText('ready');
  await expect(page.getByTestId('upscaler-select')).toHaveValue('fredsr');
});

test('without a camera the webcam mode says so, and the image mode still works', async ({ page }) => {
  await openUpscale(page);
  await page.getByTestId('upscale-mode-webcam').click();
  await page.getByTestId('webcam-toggle').click();
  await expect(page.getByTestId('webcam-problem')).toContainText(/camera/i);
  await expect(page.getByTestId('webcam-problem')).toContainText('The image mode works without a camera.');
  await page.getByTestId('upscale-mode-image').click();
  await page.getByTestId('upscale-lr-input').setInputFiles(pngFile('after.png', 40, 30));
  await expect(page.getByTestId('upscale-size')).toHaveText('40×30 → 120×90');
});

test.describe('on WebGPU', () => {
  test('FREDSR (Pad, Conv, DepthToSpace) gives the same pixels on WebGPU as on WASM, within 1/255', async ({ page }) => {
    // SwiftShader emulates the GPU on the CPU: reloading the model and the upscaler on it is slow.
    test.setTimeout(300_000);
    await openUpscale(page);
    await page.getByTestId('upscale-lr-input').setInputFiles(pngFile('gpu.png', 40, 30, 100, 100));
    await expect(page.getByTestId('upscale-size')).toHaveText('40×30 → 120×90');
    const wasm = await page.evaluate(() => Array.from((window as unknown as LabWindow).__lab.getState().upResult!.output.data));

    // Switching the backend replaces the engine worker; the panel opens the upscaler again there.
    await page.evaluate(() => {
      location.hash = '#/upscale?v=1&backend=webgpu';
    });
    await expect(page.getByTestId('upscaler-info')).toContainText('WebGPU', { timeout: 180_000 });
    await page.evaluate(() => {
      (window as unknown as { __before: unknown }).__before = (window as unknown as LabWindow).__lab.getState().upResult;
    });
    await page.getByRole('button', { name: 'Upscale again' }).click();
    await page.waitForFunction(
      () => {
        const s = (window as unknown as LabWindow).__lab.getState();
        return !s.upRunning && s.upResult !== null && s.upResult !== (window as unknown as { __before: unknown }).__before;
      },
      null,
      { timeout: 120_000 },
    );
    const gpu = await page.evaluate(() => Array.from((window as unknown as LabWindow).__lab.getState().upResult!.output.data));
    expect(gpu).toHaveLength(wasm.length);
    let max = 0;
    for (let i = 0; i < gpu.length; i++) max = Math.max(max, Math.abs(gpu[i] - wasm[i]));
    console.log(`FREDSR 40×30 → 120×90: WebGPU vs WASM, max byte difference ${max}`);
    expect(max).toBeLessThanOrEqual(1);
  });
});
