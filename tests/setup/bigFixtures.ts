/**
 * Vitest globalSetup: the large-model fixtures (tests/fixtures/make_big.py): VGG-16 with random
 * weights (528 MB, over the old 256 MB limit; ~50 s to export on 2 cores, then cached in
 * tests/.fixtures) and resnet18 saved with ONNX external data. Runs after tests/setup/fixtures.ts,
 * which makes the resnet18.onnx that the external-data copy is made from.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, fixturePath } from './fixturePaths';

export const BIG_FIXTURE_FILES = ['vgg16.onnx', 'vgg16.png.json', 'big.input.png', 'external/resnet18.onnx', 'external/resnet18.onnx.data'];

export default async function setup(): Promise<void> {
  if (BIG_FIXTURE_FILES.every((f) => existsSync(fixturePath(f)))) return;
  console.log('[fixtures] making the large-model fixtures with /usr/bin/python3 tests/fixtures/make_big.py (about a minute)');
  execFileSync('/usr/bin/python3', [join('tests', 'fixtures', 'make_big.py'), 'vgg16', 'external'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const still = BIG_FIXTURE_FILES.filter((f) => !existsSync(fixturePath(f)));
  if (still.length) throw new Error(`[fixtures] make_big.py ran but these are still missing: ${still.join(', ')}`);
}
