/**
 * Attribution maps on the built-in model and real scenes: gradient × input is exactly the input
 * times the gradient that gradientModel's session returns; integrated gradients satisfy
 * completeness (Σ attributions ≈ f(x) − f(baseline)) within a few % at 32–64 steps, for a unit's
 * spatial sum and for a logit; the pixel map sums the colour channels.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baselineFor,
  blackBaseline,
  gaussianBlur,
  gradientTimesInput,
  integratedGradients,
  openGradientRunner,
  pixelMap,
  scaleEnd,
  attributionRgba,
  type GradientRunner,
} from '../../src/engine/attribution';
import { openDataset, type SceneDataset } from '../../src/engine/data/datasets';
import { imagesToTensor } from '../../src/engine/data/preprocess';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { gradientModel, type GradientTarget } from '../../src/engine/onnx/backward';
import { encodeModel } from '../../src/engine/onnx/model';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { TensorF32 } from '../../src/engine/types';
import { REPO_ROOT } from '../setup/fixturePaths';
import { loadTestBanks } from '../synth/banks';

const runtime = nodeRuntime();
const LAYER = '/stage3/block0/relu2/Relu_output_0';
const UNIT: GradientTarget = { kind: 'unit', tensor: LAYER, unit: 3, reduce: 'sum' };
const LOGIT: GradientTarget = { kind: 'logit', index: 2 };

let model: LoadedModel;
let ds: SceneDataset;
const runners = new Map<string, GradientRunner>();

async function runnerFor(target: GradientTarget): Promise<GradientRunner> {
  const key = JSON.stringify(target);
  if (!runners.has(key)) runners.set(key, await openGradientRunner(runtime, model.model, 'image', model.summary.preprocess.size, target));
  return runners.get(key)!;
}

const input = (i: number): TensorF32 => imagesToTensor([ds.image(i)], model.summary.preprocess);

beforeAll(async () => {
  model = await LoadedModel.open(runtime, new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx'))), 'placeholder');
  ds = await openDataset('scenes-test', loadTestBanks(), { count: 20 });
});
afterAll(async () => {
  for (const r of runners.values()) await r.release();
  await model.release();
});

describe('gradient × input', () => {
  it.each([['unit', UNIT], ['logit', LOGIT]] as const)('%s target: x ⊙ the gradient of gradientModel, and its value', async (_name, target) => {
    const x = input(3);
    const got = await gradientTimesInput(await runnerFor(target), x);
    // The gradient straight from a gradientModel session, independently of the runner.
    const built = await gradientModel(runtime, model.model, { target, wrt: ['image'] });
    const session = await runtime.createSession(encodeModel(built.model));
    const out = await session.run({ image: x });
    await session.release();
    const g = out[built.outputs.grads.image].data;
    expect(got.attribution.dims).toEqual([1, 3, 64, 64]);
    let nonzero = 0;
    for (let i = 0; i < g.length; i++) {
      expect(got.attribution.data[i]).toBe(Math.fround(x.data[i] * g[i]));
      if (g[i] !== 0) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(1000);
    expect(got.value).toBeCloseTo(out[built.outputs.target].data[0], 5);
  });
});

describe('integrated gradients', () => {
  const cases = [
    ['unit', 'blur', 32, 0.06, UNIT],
    ['unit', 'blur', 64, 0.03, UNIT],
    ['logit', 'blur', 32, 0.03, LOGIT],
    ['logit', 'blur', 64, 0.03, LOGIT],
    ['logit', 'black', 64, 0.03, LOGIT],
  ] as const;
  it.each(cases)('completeness, %s target, %s baseline, %i steps (gap < %d)', async (_n, kind, steps, tolerance, target) => {
    const runner = await runnerFor(target);
    for (const i of [3, 7]) {
      const x = input(i);
      const b = baselineFor(kind, x, model.summary.preprocess);
      const seen: number[] = [];
      const ig = await integratedGradients(runner, x, b, { steps, batch: 16, onProgress: (d) => seen.push(d) });
      console.log(`[ig] scene ${i} ${_n} ${kind} ${steps}: f(x) ${ig.value.toFixed(3)}, f(x') ${ig.baselineValue.toFixed(3)}, Σ ${ig.sum.toFixed(3)}, gap ${(ig.completenessError * 100).toFixed(2)}%`);
      expect(Math.abs(ig.value - ig.baselineValue)).toBeGreaterThan(0.5); // a real change to explain
      expect(ig.completenessError).toBeLessThan(tolerance);
      expect(seen.at(-1)).toBe(steps);
      // The end points are the model's own values.
      const direct = await runner.run(x);
      expect(ig.value).toBeCloseTo(direct.value[0], 4);
    }
  });

  it('a baseline equal to the image gives zero attribution', async () => {
    const x = input(5);
    const ig = await integratedGradients(await runnerFor(LOGIT), x, x, { steps: 4 });
    expect(ig.attribution.data.every((v) => v === 0)).toBe(true);
    expect(ig.sum).toBe(0);
  });

  it('rejects a baseline of another shape and silly step counts', async () => {
    const r = await runnerFor(LOGIT);
    const x = input(5);
    await expect(integratedGradients(r, x, { dims: [1, 3, 8, 8], data: new Float32Array(192) })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(integratedGradients(r, x, x, { steps: 0 })).rejects.toMatchObject({ code: 'bad-request' });
  });
});

describe('baselines and pixel maps', () => {
  it('the black baseline is pixel 0 through the normalisation; blur keeps the mean of each plane', () => {
    const p = model.summary.preprocess;
    const b = blackBaseline(p);
    expect(b.data[0]).toBeCloseTo(-p.mean[0] / p.std[0], 6);
    const x = input(1);
    const blurred = gaussianBlur(x, 4);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(blurred.data) - mean(x.data))).toBeLessThan(0.05);
    const tv = (a: Float32Array) => a.slice(1, 4096).reduce((s, v, i) => s + Math.abs(v - a[i]), 0);
    expect(tv(blurred.data)).toBeLessThan(tv(x.data) / 3);
  });

  it('the pixel map is the channel sum (signed) or its magnitude; colours are symmetric around 0', () => {
    const a = { dims: [1, 3, 1, 2], data: Float32Array.from([1, -2, 0.5, 1, 0.25, -4]) };
    expect(Array.from(pixelMap(a, 'signed').data)).toEqual([1.75, -5]);
    expect(Array.from(pixelMap(a, 'absolute').data)).toEqual([1.75, 5]);
    expect(scaleEnd([0, 0, 0])).toBe(0);
    const rgba = attributionRgba([-1, 0, 1], 1, 'signed');
    expect(Array.from(rgba.slice(4, 8))).toEqual([255, 255, 255, 255]);
    expect(rgba[0]).toBeLessThan(rgba[2]); // negative: blue
    expect(rgba[8]).toBeGreaterThan(rgba[10]); // positive: red
  });
});
