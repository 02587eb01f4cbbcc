/** Gradient × input: x ⊙ d(target)/dx at the model input (normalised), one image. */
import { LabError } from '../errors';
import type { TensorF32 } from '../types';
import type { GradientRunner } from './runner';

export interface Attribution {
  /** Per input element, shaped like the input ([1,3,H,W]); signed. */
  attribution: TensorF32;
  /** The target at the image. */
  value: number;
}

/** The elementwise product a ⊙ b (same length). */
export function hadamard(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new LabError('internal', `hadamard: ${a.length} vs ${b.length} values`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
  return out;
}

export function checkSingle(x: TensorF32): void {
  if (x.dims.length !== 4 || x.dims[0] !== 1) throw new LabError('bad-request', `Attribution takes one image [1,C,H,W], got [${x.dims}].`);
}

export async function gradientTimesInput(runner: GradientRunner, x: TensorF32, signal?: AbortSignal): Promise<Attribution> {
  checkSingle(x);
  const { value, grad } = await runner.run(x, signal);
  return { attribution: { dims: [...x.dims], data: hadamard(x.data, grad.data) }, value: value[0] };
}
