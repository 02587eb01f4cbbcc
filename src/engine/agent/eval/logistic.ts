/**
 * Multinomial logistic regression in plain TS for the spurious-feature experiment: features are
 * standardised on the training set, weights start at zero and full-batch gradient descent runs a
 * fixed number of steps, so a fit is a pure function of its inputs. L2 fits the probes; the ℓ1
 * path (proximal gradient, λ decreasing) orders features by when they first enter the model,
 * which picks the ℓ1-selected baseline of a given size.
 */
import { LabError } from '../../errors';

export interface Design {
  /** Row-major [n, d]. */
  x: Float64Array;
  n: number;
  d: number;
  /** Labels 0..classes−1. */
  y: Int32Array;
  classes: number;
}

export interface LogisticFit {
  /** [d, classes] on standardised features. */
  w: Float64Array;
  b: Float64Array;
  mean: Float64Array;
  std: Float64Array;
  d: number;
  classes: number;
}

export interface FitOptions {
  l2?: number;
  l1?: number;
  steps?: number;
  lr?: number;
}

/** Keeps the columns `cols` of a design. */
export function selectColumns(x: Float64Array, n: number, d: number, cols: readonly number[]): Float64Array {
  const out = new Float64Array(n * cols.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < cols.length; j++) out[i * cols.length + j] = x[i * d + cols[j]];
  return out;
}

function standardise(data: Design): { z: Float64Array; mean: Float64Array; std: Float64Array } {
  const { x, n, d } = data;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] += (x[i * d + j] - mean[j]) ** 2 / n;
  // a constant feature (a dead unit) stays at zero instead of dividing by zero
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]) || 1;
  const z = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) z[i * d + j] = (x[i * d + j] - mean[j]) / std[j];
  return { z, mean, std };
}

function softmaxRow(logits: Float64Array): void {
  let m = -Infinity;
  for (const v of logits) m = Math.max(m, v);
  let s = 0;
  for (let k = 0; k < logits.length; k++) s += logits[k] = Math.exp(logits[k] - m);
  for (let k = 0; k < logits.length; k++) logits[k] /= s;
}

/** One fit from zero weights; with l1 > 0 each step is followed by soft thresholding (proximal gradient). */
function descend(z: Float64Array, data: Design, opts: Required<FitOptions>, w: Float64Array, b: Float64Array): void {
  const { n, d, y, classes: C } = data;
  const gw = new Float64Array(d * C);
  const gb = new Float64Array(C);
  const p = new Float64Array(C);
  for (let step = 0; step < opts.steps; step++) {
    gw.fill(0);
    gb.fill(0);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < C; k++) {
        let s = b[k];
        for (let j = 0; j < d; j++) s += z[i * d + j] * w[j * C + k];
        p[k] = s;
      }
      softmaxRow(p);
      p[y[i]] -= 1;
      for (let k = 0; k < C; k++) gb[k] += p[k] / n;
      for (let j = 0; j < d; j++) {
        const zij = z[i * d + j] / n;
        if (zij !== 0) for (let k = 0; k < C; k++) gw[j * C + k] += zij * p[k];
      }
    }
    for (let k = 0; k < C; k++) b[k] -= opts.lr * gb[k];
    for (let q = 0; q < w.length; q++) {
      let v = w[q] - opts.lr * (gw[q] + opts.l2 * w[q]);
      if (opts.l1 > 0) {
        const t = opts.lr * opts.l1;
        v = v > t ? v - t : v < -t ? v + t : 0;
      }
      w[q] = v;
    }
  }
}

const DEFAULTS: Required<FitOptions> = { l2: 1e-2, l1: 0, steps: 300, lr: 0.5 };

function check(data: Design): void {
  if (data.n === 0 || data.d === 0) throw new LabError('bad-request', `A logistic regression needs examples and features (got ${data.n} × ${data.d}).`);
  if (data.x.length !== data.n * data.d || data.y.length !== data.n) throw new LabError('bad-request', 'The design matrix and labels disagree in size.');
  for (const v of data.y) if (!(v >= 0 && v < data.classes)) throw new LabError('bad-request', `Label ${v} is outside 0..${data.classes - 1}.`);
}

export function fitLogistic(data: Design, options: FitOptions = {}): LogisticFit {
  check(data);
  const opts = { ...DEFAULTS, ...options };
  const { z, mean, std } = standardise(data);
  const w = new Float64Array(data.d * data.classes);
  const b = new Float64Array(data.classes);
  descend(z, data, opts, w, b);
  return { w, b, mean, std, d: data.d, classes: data.classes };
}

/** Predicted class per row of x ([n, d], raw features). */
export function predict(fit: LogisticFit, x: Float64Array, n: number): Int32Array {
  const { d, classes: C } = fit;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -Infinity;
    for (let k = 0; k < C; k++) {
      let s = fit.b[k];
      for (let j = 0; j < d; j++) s += ((x[i * d + j] - fit.mean[j]) / fit.std[j]) * fit.w[j * C + k];
      if (s > best) {
        best = s;
        out[i] = k;
      }
    }
  }
  return out;
}

/**
 * Features in the order they enter along the ℓ1 path (λ from λmax down by `ratio`), warm-started;
 * features still out at the end follow by the size of their final weights. Returns the first `k`.
 */
export function l1Path(data: Design, k: number, options: { steps?: number; lambdas?: number; ratio?: number } = {}): number[] {
  check(data);
  const { z } = standardise(data);
  const { d, classes: C } = data;
  const w = new Float64Array(d * C);
  const b = new Float64Array(C);
  const order: number[] = [];
  const inModel = new Uint8Array(d);
  const lambdas = options.lambdas ?? 24;
  const ratio = options.ratio ?? 0.8;
  let lambda = 0.5;
  for (let t = 0; t < lambdas && order.length < k; t++, lambda *= ratio) {
    descend(z, data, { ...DEFAULTS, l2: 0, l1: lambda, steps: options.steps ?? 40 }, w, b);
    const entered: Array<{ j: number; norm: number }> = [];
    for (let j = 0; j < d; j++) {
      if (inModel[j]) continue;
      let norm = 0;
      for (let c = 0; c < C; c++) norm += Math.abs(w[j * C + c]);
      if (norm > 0) entered.push({ j, norm });
    }
    entered.sort((a, b2) => b2.norm - a.norm || a.j - b2.j);
    for (const e of entered) {
      inModel[e.j] = 1;
      order.push(e.j);
    }
  }
  if (order.length < k) {
    const rest = [...Array(d).keys()].filter((j) => !inModel[j]);
    const norm = (j: number) => w.subarray(j * C, j * C + C).reduce((a, v) => a + Math.abs(v), 0);
    rest.sort((a, c) => norm(c) - norm(a) || a - c);
    order.push(...rest);
  }
  return order.slice(0, k);
}
