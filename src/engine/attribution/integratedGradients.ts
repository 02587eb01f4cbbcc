/**
 * Integrated gradients (Sundararajan et al. 2017): (x − x′) ⊙ ∫₀¹ ∇f(x′ + α(x − x′)) dα, by the
 * midpoint rule over `steps` points, run in batches through the gradient session. Completeness:
 * the attributions sum to f(x) − f(x′) up to the quadrature error, which is reported.
 */
import { LabError } from '../errors';
import type { TensorF32 } from '../types';
import { checkSingle, type Attribution } from './gradientTimesInput';
import type { GradientRunner } from './runner';

export interface IntegratedGradientsOptions {
  /** Points on the path (midpoint rule); 32–64 is usually enough for CNNs. */
  steps?: number;
  /** Path points per session run. */
  batch?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface IntegratedGradients extends Attribution {
  /** f at the baseline. */
  baselineValue: number;
  /** Σ attribution. */
  sum: number;
  /** |Σ attribution − (f(x) − f(x′))| / max(|f(x) − f(x′)|, 1e-6): the completeness gap. */
  completenessError: number;
  steps: number;
}

export const DEFAULT_IG_STEPS = 32;

export async function integratedGradients(
  runner: GradientRunner,
  x: TensorF32,
  baseline: TensorF32,
  options: IntegratedGradientsOptions = {},
): Promise<IntegratedGradients> {
  checkSingle(x);
  if (baseline.data.length !== x.data.length) throw new LabError('bad-request', 'The baseline must have the image’s shape.');
  const steps = options.steps ?? DEFAULT_IG_STEPS;
  const batch = Math.max(1, Math.min(options.batch ?? 16, steps));
  if (!Number.isInteger(steps) || steps < 1 || steps > 1024) throw new LabError('bad-request', `steps must be a whole number from 1 to 1024 (got ${steps}).`);
  const per = x.data.length;
  const delta = new Float32Array(per);
  for (let i = 0; i < per; i++) delta[i] = x.data[i] - baseline.data[i];

  // The end points first (f(x), f(x′)), then the path in batches; gradients are summed in float64.
  const ends = await runner.run({ dims: [2, ...x.dims.slice(1)], data: concat([x.data, baseline.data]) }, options.signal);
  const total = new Float64Array(per);
  for (let start = 0; start < steps; start += batch) {
    const n = Math.min(batch, steps - start);
    const data = new Float32Array(n * per);
    for (let j = 0; j < n; j++) {
      const alpha = (start + j + 0.5) / steps;
      const o = j * per;
      for (let i = 0; i < per; i++) data[o + i] = baseline.data[i] + alpha * delta[i];
    }
    const { grad } = await runner.run({ dims: [n, ...x.dims.slice(1)], data }, options.signal);
    for (let j = 0; j < n; j++) {
      const o = j * per;
      for (let i = 0; i < per; i++) total[i] += grad.data[o + i];
    }
    options.onProgress?.(start + n, steps);
  }
  const attribution = new Float32Array(per);
  let sum = 0;
  for (let i = 0; i < per; i++) {
    attribution[i] = (delta[i] * total[i]) / steps;
    sum += attribution[i];
  }
  const value = ends.value[0];
  const baselineValue = ends.value[1];
  const change = value - baselineValue;
  return {
    attribution: { dims: [...x.dims], data: attribution },
    value,
    baselineValue,
    sum,
    completenessError: Math.abs(sum - change) / Math.max(Math.abs(change), 1e-6),
    steps,
  };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
