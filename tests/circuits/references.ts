/**
 * PyTorch autograd references for CLA edge weights, made by tests/fixtures/make_circuits.py into
 * tests/.fixtures/ (made here on first use when missing: about 20 s with Debian's torch).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, fixturePath } from '../setup/fixturePaths';

export const CIRCUIT_REF_MODELS = ['scenes-balanced', 'resnet18'] as const;
export type CircuitRefModel = (typeof CIRCUIT_REF_MODELS)[number];

export interface CircuitRefCase {
  upper: string;
  upperModule: string;
  units: number[];
  lower: string;
  lowerModule: string;
  reduce: 'mean' | 'max';
  /** [units × C_lower], float64 from torch. */
  weights: number[][];
}

export interface CircuitRef {
  model: string;
  input: { name: string; shape: number[]; file: string };
  cases: CircuitRefCase[];
}

export function readCircuitRef(name: CircuitRefModel): { ref: CircuitRef; input: Float32Array } {
  const json = fixturePath(`circuits.${name}.json`);
  if (!existsSync(json)) execFileSync('/usr/bin/python3', [join('tests', 'fixtures', 'make_circuits.py')], { cwd: REPO_ROOT, stdio: 'inherit' });
  const ref = JSON.parse(readFileSync(json, 'utf8')) as CircuitRef;
  const buf = readFileSync(fixturePath(ref.input.file));
  return { ref, input: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)) };
}

/** max |a − b| over max |b|: the error relative to the largest reference weight of the case. */
export function relativeError(got: ArrayLike<number>, want: readonly number[]): number {
  let err = 0;
  let scale = 0;
  want.forEach((w, i) => {
    err = Math.max(err, Math.abs(got[i] - w));
    scale = Math.max(scale, Math.abs(w));
  });
  return err / scale;
}
