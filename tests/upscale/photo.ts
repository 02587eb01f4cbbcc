/**
 * Real inputs for the upscaler tests: crops of a Debian wallpaper (installed with the FREDSR data
 * packages) and the lab's FREDSR model (FREDSR_MODEL overrides the path).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImageFile } from '../../src/cli/decode';
import { cropImage } from '../../src/engine/upscale/compare';
import type { RawImage } from '../../src/engine/types';
import { REPO_ROOT } from '../setup/fixturePaths';

export const FREDSR_PATH = process.env.FREDSR_MODEL ?? join(REPO_ROOT, 'models', 'fredsr.onnx');

export function fredsrBytes(): Uint8Array {
  if (!existsSync(FREDSR_PATH)) throw new Error(`${FREDSR_PATH} is missing: the FREDSR model ships in models/ (see models/training).`);
  return new Uint8Array(readFileSync(FREDSR_PATH));
}

const BACKGROUNDS = '/usr/share/backgrounds';
/** A photograph from Debian's lomiri-wallpapers-16.04 (licence: its /usr/share/doc copyright file). */
const PHOTO = 'Dragonfly_by_Bolly.jpg';

let photo: RawImage | null = null;

/** A wallpaper photo (decoded once). */
export function wallpaper(): RawImage {
  if (!photo) {
    const path = join(BACKGROUNDS, PHOTO);
    if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install lomiri-wallpapers-16.04 (npm test installs it as root).`);
    photo = decodeImageFile(path);
  }
  return photo;
}

/** A width×height crop of the wallpaper from its centre region, offset by (dx, dy). */
export function photoCrop(width: number, height: number, dx = 0, dy = 0): RawImage {
  const img = wallpaper();
  const x = Math.floor(img.width / 2 - width / 2) + dx;
  const y = Math.floor(img.height / 2 - height / 2) + dy;
  return cropImage(img, { x, y, width, height });
}
