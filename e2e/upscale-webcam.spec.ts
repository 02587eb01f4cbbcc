/**
 * The webcam mode with chromium's fake camera playing a clip made here from a real photo (a
 * 320×180 window panned across a wallpaper, so frames differ): frames come out 3× the input size,
 * frames keep coming (the FPS counter moves), and stopping releases the camera.
 */
import { expect, test } from '@playwright/test';
import { photoCrop } from '../tests/upscale/photo';
import { openLab } from './helpers';
import { fakeCamera, writeClip } from './upscale-camera';

// The clip must exist before the browser starts (its path is a launch flag).
const STEP = 4;
const FRAMES = 24;
const clip = writeClip('pan.y4m', photoCrop(320 + STEP * FRAMES, 180, 0, 300), FRAMES, STEP);

test.use(fakeCamera(clip));

test('webcam frames come out 3× the input, keep coming, and differ as the camera pans', async ({ page }) => {
  // WASM does about one 320×180 frame per second here, less on a busy machine.
  test.setTimeout(300_000);
  await openLab(page, '#/upscale?v=1&backend=wasm');
  await expect(page.getByTestId('upscaler-status')).toHaveText('ready', { timeout: 60_000 });
  await page.getByTestId('upscale-mode-webcam').click();
  await page.getByTestId('webcam-size').selectOption('320x180');
  await page.getByTestId('webcam-toggle').click();
  await expect(page.getByTestId('webcam-out-size')).toHaveText('960×540', { timeout: 60_000 });
  const canvas = page.getByTestId('webcam-canvas');
  await expect(canvas).toHaveAttribute('width', '960');
  await expect(canvas).toHaveAttribute('height', '540');
  await expect(page.getByTestId('webcam-backend')).toHaveText('WASM');
  // On WASM frames are read back and drawn here; no canvas goes to the worker.
  await expect(page.getByTestId('webcam-path')).toHaveText('CPU copy');
  await expect(page.getByTestId('webcam-gpu-frames')).toHaveCount(0);
  await expect(page.getByTestId('webcam-gpu-canvas')).toHaveCount(0);

  const frames = async () => Number(await page.getByTestId('webcam-frames').textContent());
  const pixels = () => canvas.evaluate((c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.subarray(0, 960 * 4 * 60)));
  const first = await frames();
  const before = await pixels();
  await expect.poll(frames, { timeout: 60_000 }).toBeGreaterThanOrEqual(first + 3);
  const fps = Number(await page.getByTestId('webcam-fps').textContent());
  expect(fps).toBeGreaterThan(0);
  const latency = Number(await page.getByTestId('webcam-latency').textContent());
  expect(latency).toBeGreaterThan(0);
  console.log(`webcam 320×180 → 960×540 on WASM: ${await page.getByTestId('webcam-stats').textContent()}`);
  // The clip pans, so a later frame differs from an earlier one. The fake camera loops the
  // 24-frame clip, so one later frame can land on the same clip frame by chance: look at the next
  // frames until one differs (a frozen output never does).
  await expect.poll(async () => (await pixels()).some((v, i) => v !== before[i]), { timeout: 60_000 }).toBe(true);
  // The readout is live: FPS, latency and the frame count are recomputed as frames arrive.
  const stats = await page.getByTestId('webcam-stats').textContent();
  await expect(page.getByTestId('webcam-stats')).not.toHaveText(stats!, { timeout: 60_000 });
  expect(Number(await page.getByTestId('webcam-fps').textContent())).toBeGreaterThan(0);

  await page.getByTestId('webcam-toggle').click();
  await expect(canvas).toBeHidden();
  const tracks = await page.evaluate(() => (document.querySelector('video') as HTMLVideoElement).srcObject);
  expect(tracks).toBeNull();
});

