/**
 * The webcam mode on WebGPU (SwiftShader in headless chromium) with a still fake camera: frames
 * kept on the GPU (the model's output left in a GPU buffer and drawn by a render pass on a canvas
 * moved to the worker — never read back) keep coming on that path (20 frames, no fallback), give
 * the same pixels as the CPU copy of the same frame on the same session, within 1/255, and the
 * readout says which path is in use. (The upload by copyExternalImageToTexture + a compute pass
 * was dropped; the LR input goes up from the CPU, see GpuIo.)
 */
import { expect, test, type Page } from '@playwright/test';
import { photoCrop } from '../tests/upscale/photo';
import { GPU_RESIDENT_FRAMES } from '../src/engine/upscale/gpuFrames';
import { fakeCamera, writeClip } from './upscale-camera';

/**
 * ANGLE on Vulkan (SwiftShader's): with chromium's default headless GL the GPU process cannot back a
 * WebGPU canvas's swap chain, and the first getCurrentTexture() loses every WebGPU device of the tab.
 * With these flags the device lives, but the canvas reads back blank (see GPU_RESIDENT_FRAMES).
 */
const WEBGPU_CANVAS_ARGS = ['--enable-unsafe-webgpu', '--use-angle=vulkan', '--enable-features=Vulkan,VulkanFromANGLE'];
// A still clip (every frame the same), so two runs of the loop see the same input.
test.use(fakeCamera(writeClip('still.y4m', photoCrop(320, 180, 0, 300), 2, 0), WEBGPU_CANVAS_ARGS));

/** A canvas's pixels, drawn onto a 2D canvas (a canvas moved to a worker has no context here). */
const canvasPixels = (page: Page, testid: string) =>
  page.getByTestId(testid).evaluate((c: HTMLCanvasElement) => {
    const copy = document.createElement('canvas');
    copy.width = c.width;
    copy.height = c.height;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(c, 0, 0);
    return Array.from(ctx.getImageData(0, 0, c.width, c.height).data);
  });

test('GPU-resident frames keep coming, give the same pixels as the CPU copy within 1/255, and say so', async ({ page }) => {
  test.fixme(!GPU_RESIDENT_FRAMES, 'GPU-resident frames are off: a WebGPU canvas in headless chromium on SwiftShader loses the device, or (ANGLE on Vulkan) reads back blank (see gpuFrames.ts)');
  // SwiftShader runs WebGPU on the CPU: a 320×180 frame took 40–90 s here (2 busy cores), on
  // either path, so 20 frames take up to half an hour.
  test.setTimeout(2_700_000);
  // Not openLab: the probe model's load on SwiftShader may outlast its wait; the upscaler is enough.
  await page.goto('./#/upscale?v=1&backend=webgpu');
  await expect(page.getByTestId('upscaler-info')).toContainText('WebGPU', { timeout: 400_000 });
  await page.getByTestId('upscale-mode-webcam').click();
  await page.getByTestId('webcam-size').selectOption('320x180');
  await expect(page.getByTestId('webcam-gpu-frames')).toBeChecked();
  const frames = async () => Number((await page.getByTestId('webcam-frames').textContent({ timeout: 1000 }).catch(() => null)) ?? 0);

  await page.getByTestId('webcam-toggle').click();
  // The path is checked at every poll: a fallback to the CPU copy, even for a frame, fails the test.
  const gpuFrames = async () => {
    const path = await page.getByTestId('webcam-path').textContent({ timeout: 1000 }).catch(() => null);
    if (path !== null && path !== 'GPU-resident') throw new Error(`frames went to the "${path}" path: ${await page.getByTestId('webcam-path').getAttribute('title')}`);
    return frames();
  };
  // 20 frames in a row on the GPU path.
  await expect.poll(gpuFrames, { timeout: 1_800_000, intervals: [5_000] }).toBeGreaterThanOrEqual(20);
  await expect(page.getByTestId('webcam-path')).toHaveText('GPU-resident');
  await expect(page.getByTestId('webcam-gpu-problem')).toHaveCount(0);
  await expect(page.getByTestId('webcam-problem')).toHaveCount(0);
  await expect(page.getByTestId('webcam-backend')).toHaveText('WebGPU');
  await expect(page.getByTestId('webcam-out-size')).toHaveText('960×540');
  await expect(page.getByTestId('webcam-canvas')).toBeHidden();
  await expect(page.getByTestId('webcam-gpu-canvas')).toBeVisible();
  console.log(`webcam 320×180 → 960×540 on WebGPU (SwiftShader), GPU-resident: ${await page.getByTestId('webcam-stats').textContent()}`);
  const gpu = await canvasPixels(page, 'webcam-gpu-canvas');
  await page.getByTestId('webcam-toggle').click();
  await expect(page.getByTestId('webcam-gpu-canvas')).toHaveCount(0);

  // The same frames read back and drawn from the CPU, on the same WebGPU session.
  await page.getByTestId('webcam-gpu-frames').uncheck();
  await page.getByTestId('webcam-toggle').click();
  await expect.poll(frames, { timeout: 600_000 }).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('webcam-path')).toHaveText('CPU copy');
  console.log(`webcam 320×180 → 960×540 on WebGPU (SwiftShader), CPU copy: ${await page.getByTestId('webcam-stats').textContent()}`);
  const cpu = await canvasPixels(page, 'webcam-canvas');
  await page.getByTestId('webcam-toggle').click();

  expect(gpu).toHaveLength(960 * 540 * 4);
  expect(cpu).toHaveLength(gpu.length);
  let worst = 0;
  for (let i = 0; i < gpu.length; i++) worst = Math.max(worst, Math.abs(gpu[i] - cpu[i]));
  console.log(`GPU-resident vs CPU copy: max difference ${worst}/255`);
  expect(worst).toBeLessThanOrEqual(1);
  // Not a blank canvas: the photo's texture is there.
  expect(new Set(gpu.filter((_, i) => i % 4 === 1)).size).toBeGreaterThan(50);
});
