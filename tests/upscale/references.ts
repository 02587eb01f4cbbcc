/**
 * The Pillow/numpy references for tests/upscale, made by make_references.py (Debian's Python,
 * numpy and Pillow) into tests/.fixtures/upscale/ when missing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImageFile } from '../../src/cli/decode';
import type { RawImage } from '../../src/engine/types';
import { FIXTURE_DIR, REPO_ROOT } from '../setup/fixturePaths';

export const UPSCALE_FIXTURES = join(FIXTURE_DIR, 'upscale');

export interface References {
  photos: { file: string; source: string; box: number[] }[];
  resizes: { input: string; output: string; size: [number, number] }[];
  metrics: { a: string; b: string; border: number; psnr: number; ssim: number }[];
}

export function loadReferences(): References {
  const refs = join(UPSCALE_FIXTURES, 'refs.json');
  if (!existsSync(refs)) {
    execFileSync('/usr/bin/python3', [join('tests', 'upscale', 'make_references.py')], { cwd: REPO_ROOT, stdio: 'ignore' });
  }
  return JSON.parse(readFileSync(refs, 'utf8')) as References;
}

export function fixtureImage(name: string): RawImage {
  return decodeImageFile(join(UPSCALE_FIXTURES, name));
}
