/**
 * The webcam mode with chromium's fake camera playing a clip made here from a real photo (a
 * 320×180 window panned across a wallpaper, so frames differ): frames come out 3× the input size,
 * frames keep coming (the FPS counter moves), and stopping releases the camera.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { RawImage } from '../src/engine/types';
import { CHROMIUM_ARGS } from '../playwright.config';
import { photoCrop } from '../tests/upscale/photo';
import { openLab } from './helpers';

const W = 320;
const H = 180;
const FRAMES = 24;

/** A YUV4MPEG2 clip (4:2:0, BT.601 limited range): `frames` windows of `source`, panned right. */
function y4m(source: RawImage, frames: number, step: number): Buffer {
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F15:1 Ip A1:1 C420jpeg\n`);
  const parts: Buffer[] = [header];
  const c = source.channels;
  for (let f = 0; f < frames; f++) {
    const x0 = f * step;
    const Y = Buffer.alloc(W * H);
    const U = Buffer.alloc((W / 2) * (H / 2));
    const V = Buffer.alloc((W / 2) * (H / 2));
    const rgb = (x: number, y: number) => {
      const i = (y * source.width + x0 + x) * c;
      return [source.data[i] / 255, source.data[i + 1] / 255, source.data[i + 2] / 255];
    };
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const [r, g, b] = rgb(x, y);
        Y[y * W + x] = Math.round(16 + 65.481 * r + 128.553 * g + 24.966 * b);
      }
    for (let y = 0; y < H / 2; y++)
      for (let x = 0; x < W / 2; x++) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
          const p = rgb(2 * x + dx, 2 * y + dy);
          r += p[0] / 4;
          g += p[1] / 4;
          b += p[2] / 4;
        }
        U[y * (W / 2) + x] = Math.round(128 - 37.797 * r - 74.203 * g + 112 * b);
        V[y * (W / 2) + x] = Math.round(128 + 112 * r - 93.786 * g - 18.214 * b);
      }
    parts.push(Buffer.from('FRAME\n'), Y, U, V);
  }
  return Buffer.concat(parts);
}

// The clip must exist before the browser starts (its path is a launch flag).
const STEP = 4;
const clip = join(mkdtempSync(join(tmpdir(), 'lab-e2e-webcam-')), 'pan.y4m');
writeFileSync(clip, y4m(photoCrop(W + STEP * FRAMES, H, 0, 300), FRAMES, STEP));

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`],
  },
});

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
  // The clip pans, so a later frame differs from an earlier one.
  const after = await pixels();
  expect(after.some((v, i) => v !== before[i])).toBe(true);
  // The readout is live: FPS, latency and the frame count are recomputed as frames arrive.
  const stats = await page.getByTestId('webcam-stats').textContent();
  await expect(page.getByTestId('webcam-stats')).not.toHaveText(stats!, { timeout: 60_000 });
  expect(Number(await page.getByTestId('webcam-fps').textContent())).toBeGreaterThan(0);

  await page.getByTestId('webcam-toggle').click();
  await expect(canvas).toBeHidden();
  const tracks = await page.evaluate(() => (document.querySelector('video') as HTMLVideoElement).srcObject);
  expect(tracks).toBeNull();
});
