/**
 * Feature visualisation by optimisation (Lucid / OpenAI Microscope): the input that maximises a
 * unit, found by gradient ascent with Adam on a decorrelated Fourier parameterisation
 * (./fourier, ./color: 1/f spectrum, colour decorrelation, sigmoid to [0,1], then the model's own
 * normalisation), with a random jitter/scale/rotation each step (./transform). Several samples
 * run side by side as one batch through the gradient session; sample n starts from, and draws its
 * transforms from, the stream hashSeed(seed, n), so a seed reproduces the same images.
 * Diversity comes from the seeds only (no diversity term: it would need a second target).
 */
import { LabError } from '../errors';
import { hashSeed, Rng } from '../synth/rng';
import type { GradientRunner } from '../attribution/runner';
import type { Preprocess, RawImage, TensorF32 } from '../types';
import { Adam } from './adam';
import { toRgb, toRgbAdjoint } from './color';
import { FourierBasis } from './fourier';
import { DEFAULT_SAMPLES, DEFAULT_STEPS } from './settings';
import { randomAffine, robustnessFor, warp, warpAdjoint, type Robustness } from './transform';

export interface VisualizeOptions {
  /** Reproducibility: the same seed (and samples, steps) gives the same images. */
  seed: number;
  samples?: number;
  steps?: number;
  /** Adam's learning rate (Lucid: 0.05). */
  lr?: number;
  robustness?: Robustness;
  signal?: AbortSignal;
  /** Called every `progressEvery` steps (and at the end) with the objective per sample. */
  onProgress?: (p: VisualizeProgress) => void;
  progressEvery?: number;
  /** Images go with every n-th progress call (0: never). */
  previewEvery?: number;
  /**
   * Awaited after every step, between two runs of the gradient session: the worker serves short
   * requests there (see src/worker/lanes.ts), so they need not wait for the whole optimisation.
   */
  between?: () => Promise<void>;
}

export interface VisualizeProgress {
  step: number;
  steps: number;
  /** The target per sample on this step's transformed images. */
  values: number[];
  preview?: RawImage[];
}

export interface Visualization {
  /** One image per sample, the model's input size, RGB bytes. */
  images: RawImage[];
  /** The target per sample on its final image (as bytes, untransformed). */
  values: number[];
  /** The target per sample at each progress step. */
  history: Array<{ step: number; values: number[] }>;
  steps: number;
  seed: number;
  ms: number;
}


/** Pixels in [0,1] ([N,3,H,W]) → normalised model input. */
function normalize(pix: Float32Array, n: number, p: Preprocess, plane: number): TensorF32 {
  const out = new Float32Array(pix.length);
  for (let s = 0; s < n; s++) {
    for (let ch = 0; ch < 3; ch++) {
      const o = (s * 3 + ch) * plane;
      const m = p.mean[ch];
      const inv = 1 / p.std[ch];
      for (let i = 0; i < plane; i++) out[o + i] = (pix[o + i] - m) * inv;
    }
  }
  return { dims: [n, 3, p.size[0], p.size[1]], data: out };
}

/** Pixels in [0,1] ([N,3,H,W]) → RGB bytes per sample. */
export function toRawImages(pix: Float32Array, n: number, H: number, W: number): RawImage[] {
  const plane = H * W;
  return Array.from({ length: n }, (_, s) => {
    const data = new Uint8Array(plane * 3);
    for (let ch = 0; ch < 3; ch++) {
      const o = (s * 3 + ch) * plane;
      for (let i = 0; i < plane; i++) data[i * 3 + ch] = Math.round(Math.min(1, Math.max(0, pix[o + i])) * 255);
    }
    return { width: W, height: H, channels: 3 as const, data };
  });
}

/** RGB bytes → pixels in [0,1] ([N,3,H,W]). */
function fromRawImages(images: RawImage[], H: number, W: number): Float32Array {
  const plane = H * W;
  const out = new Float32Array(images.length * 3 * plane);
  images.forEach((img, s) => {
    for (let ch = 0; ch < 3; ch++) for (let i = 0; i < plane; i++) out[(s * 3 + ch) * plane + i] = img.data[i * img.channels + ch] / 255;
  });
  return out;
}

export async function visualize(runner: GradientRunner, preprocess: Preprocess, options: VisualizeOptions): Promise<Visualization> {
  const t0 = performance.now();
  const n = options.samples ?? DEFAULT_SAMPLES;
  const steps = options.steps ?? DEFAULT_STEPS;
  if (!Number.isInteger(n) || n < 1 || n > 16) throw new LabError('bad-request', `samples must be a whole number from 1 to 16 (got ${n}).`);
  if (!Number.isInteger(steps) || steps < 1 || steps > 4096) throw new LabError('bad-request', `steps must be a whole number from 1 to 4096 (got ${steps}).`);
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) throw new LabError('bad-request', `The seed must be a whole number ≥ 0 (got ${options.seed}).`);
  const [H, W] = preprocess.size;
  const plane = H * W;
  const basis = new FourierBasis(H, W);
  const robust = options.robustness ?? robustnessFor(Math.max(H, W));
  const every = options.progressEvery ?? 8;
  const previewEvery = options.previewEvery ?? 4;

  const rngs = Array.from({ length: n }, (_, s) => new Rng(hashSeed(options.seed, s)));
  const per = 3 * basis.perChannel;
  const params = new Float32Array(n * per);
  rngs.forEach((rng, s) => {
    for (let i = 0; i < per; i++) params[s * per + i] = 0.01 * rng.normal();
  });
  const adam = new Adam(params.length, options.lr ?? 0.05);
  const spatial = new Float32Array(n * 3 * plane); // decorrelated planes
  const pix = new Float32Array(n * 3 * plane); // [0,1]
  const warped = new Float32Array(n * 3 * plane);
  const gPix = new Float32Array(n * 3 * plane);
  const gSpatial = new Float32Array(n * 3 * plane);
  const grad = new Float32Array(params.length);

  const render = () => {
    for (let s = 0; s < n; s++) {
      for (let ch = 0; ch < 3; ch++) basis.image(params, s * per + ch * basis.perChannel, spatial, (s * 3 + ch) * plane);
      toRgb(spatial, s * 3 * plane, plane, pix, s * 3 * plane);
    }
  };

  const history: Visualization['history'] = [];
  let progressCalls = 0;
  for (let step = 1; step <= steps; step++) {
    if (options.signal?.aborted) throw new LabError('cancelled', 'Cancelled');
    render();
    const transforms = rngs.map((rng) => randomAffine(rng, robust));
    for (let s = 0; s < n; s++) warp(pix, s * 3 * plane, warped, s * 3 * plane, 3, H, W, transforms[s]);
    const { value, grad: gIn } = await runner.run(normalize(warped, n, preprocess, plane), options.signal);
    // d/d(warped pixels) = d/d(input) / std, then back through the warp, the sigmoid and colour, the basis.
    const gWarped = gIn.data;
    for (let s = 0; s < n; s++) for (let ch = 0; ch < 3; ch++) {
      const o = (s * 3 + ch) * plane;
      const inv = 1 / preprocess.std[ch];
      for (let i = 0; i < plane; i++) gWarped[o + i] *= inv;
    }
    gPix.fill(0);
    grad.fill(0);
    for (let s = 0; s < n; s++) {
      const o = s * 3 * plane;
      warpAdjoint(gWarped, o, gPix, o, 3, H, W, transforms[s]);
      toRgbAdjoint(pix, o, gPix, o, plane, gSpatial, o);
      for (let ch = 0; ch < 3; ch++) basis.adjoint(gSpatial, o + ch * plane, grad, s * per + ch * basis.perChannel);
    }
    adam.ascend(params, grad);
    if (step % every === 0 || step === steps) {
      const values = Array.from(value);
      history.push({ step, values });
      const withPreview = previewEvery > 0 && progressCalls % previewEvery === 0;
      progressCalls++;
      if (options.onProgress) {
        if (withPreview) render();
        options.onProgress({ step, steps, values, preview: withPreview ? toRawImages(pix, n, H, W) : undefined });
      }
    }
    if (options.between && step < steps) await options.between();
  }
  render();
  const images = toRawImages(pix, n, H, W);
  // The objective on the images as shown (8-bit, untransformed).
  const final = await runner.run(normalize(fromRawImages(images, H, W), n, preprocess, plane), options.signal);
  return { images, values: Array.from(final.value), history, steps, seed: options.seed, ms: performance.now() - t0 };
}
