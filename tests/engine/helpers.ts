/** Shared test helpers for engine tests under Node. */
import { readFileSync } from 'node:fs';
import type { LabError } from '../../src/engine/errors';
import type { TensorF32 } from '../../src/engine/types';
import { fixturePath } from '../setup/fixturePaths';

export const readFixture = (name: string) => new Uint8Array(readFileSync(fixturePath(name)));

/** max |a−b| over all elements. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** max |a−b| / max |a|: the relative error of a whole tensor (per-element ratios blow up near 0). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return diff / (scale || 1);
}

export function tensor(dims: number[], fill: (i: number) => number): TensorF32 {
  const n = dims.reduce((x, y) => x * y, 1);
  return { dims, data: Float32Array.from({ length: n }, (_, i) => fill(i)) };
}

/** "code: message" of the LabError a promise rejects with, or "no error". */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return `${(err as LabError).code}: ${(err as Error).message}`;
  }
  return 'no error';
}
