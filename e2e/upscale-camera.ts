/**
 * Fake cameras for the webcam e2e specs: chromium plays a YUV4MPEG2 clip (a launch flag, so the
 * file must exist before the browser starts) made here from a real photo.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawImage } from '../src/engine/types';
import { CHROMIUM_ARGS } from '../playwright.config';

const W = 320;
const H = 180;

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

/** Writes a clip of `frames` 320×180 windows of `source`, panned right by `step`; returns its path. */
export function writeClip(name: string, source: RawImage, frames: number, step: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lab-e2e-webcam-')), name);
  writeFileSync(path, y4m(source, frames, step));
  return path;
}

/** Playwright options: chromium with its fake camera playing `clip` (plus `extra` flags). */
export function fakeCamera(clip: string, extra: string[] = []) {
  return {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, ...extra, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`],
    },
  };
}
