/**
 * Vitest globalSetup: make sure the torchvision ONNX fixtures exist before any test runs.
 * Register it in the Vitest config: `test: { globalSetup: ['tests/setup/fixtures.ts'] }`.
 * When a file is missing it runs tests/fixtures/make_torchvision.py with Debian's Python
 * (which skips fixtures already present; a full build takes about a minute on 2 cores).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_FILES, REPO_ROOT, fixturePath } from './fixturePaths';
import { GRADIENT_FILES } from '../backward/references';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join('tests', 'fixtures', 'make_torchvision.py');
const GRADIENT_SCRIPT = join('tests', 'fixtures', 'make_gradients.py');
const INSTALL_HINT = 'apt-get install python3-torch python3-torchvision python3-onnx';

function pythonHasTorch(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ['-c', 'import torch, torchvision, onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export default async function setup(): Promise<void> {
  const expected = [...FIXTURE_FILES, ...GRADIENT_FILES];
  const missing = expected.filter((f) => !existsSync(fixturePath(f)));
  if (missing.length === 0) return;
  if (!pythonHasTorch()) {
    throw new Error(
      `Test fixtures missing (${missing.join(', ')}) and ${PYTHON} cannot import torch, torchvision ` +
        `and onnx, which are needed to make them. Install them with: ${INSTALL_HINT}`,
    );
  }
  console.log(`[fixtures] making ${missing.length} missing fixture file(s) with ${PYTHON} ${SCRIPT}`);
  execFileSync(PYTHON, [SCRIPT], { cwd: REPO_ROOT, stdio: 'inherit' });
  execFileSync(PYTHON, [GRADIENT_SCRIPT], { cwd: REPO_ROOT, stdio: 'inherit' });
  const still = expected.filter((f) => !existsSync(fixturePath(f)));
  if (still.length > 0) throw new Error(`[fixtures] ${SCRIPT} ran but these are still missing: ${still.join(', ')}`);
}
