/**
 * Feature-visualisation objectives on the built-in model: 'max' is the smooth max
 * Σ softmax(y/T)·y of the unit's pre-ReLU map (as the lab reads it), between its mean and its max,
 * and a small step along its gradient raises it by ε·|∇|²; 'mean' is the channel mean, on the model
 * as it is; a vector layer is its own objective either way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGradientRunner, type GradientRunner } from '../../src/engine/attribution';
import { imagesToTensor } from '../../src/engine/data/preprocess';
import { openDataset } from '../../src/engine/data/datasets';
import { featureObjective, MAX_TEMPERATURE, type FeatureObjective } from '../../src/engine/featvis';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { RawImage, TensorF32 } from '../../src/engine/types';
import { REPO_ROOT } from '../setup/fixturePaths';
import { loadTestBanks } from '../synth/banks';

const runtime = nodeRuntime();
const LAYER = '/stage3/block0/relu2/Relu_output_0';
const PRE = '/stage3/block0/Add_output_0'; // the Relu's input
const UNIT = 2;
let lm: LoadedModel;
let images: RawImage[];
let x: TensorF32;
const runners: GradientRunner[] = [];

beforeAll(async () => {
  lm = await LoadedModel.open(runtime, new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx'))), 'placeholder');
  const ds = await openDataset('scenes-test', loadTestBanks(), { count: 4 });
  images = [ds.image(1), ds.image(3)];
  x = imagesToTensor(images, lm.summary.preprocess);
}, 120_000);
afterAll(async () => {
  for (const r of runners) await r.release();
  await lm.release();
});

async function runnerFor(layer: string, objective: FeatureObjective, unit = UNIT) {
  const dims = lm.summary.layers.find((l) => l.tensor === layer)!.shape;
  const plan = featureObjective(lm.model, layer, dims, unit, objective);
  const r = await openGradientRunner(runtime, plan.model, lm.summary.imageInput.name, lm.summary.preprocess.size, plan.target);
  runners.push(r);
  return { plan, r };
}

/** The unit's pre-ReLU map per image, as the lab reads maps: its max, mean and smooth max. */
async function preStats(): Promise<Array<{ max: number; mean: number; smooth: number }>> {
  const run = await lm.run({ images, maps: [{ layer: PRE, unit: UNIT }] });
  const m = run.maps[`${PRE}#${UNIT}`].data;
  const per = m.length / images.length;
  return images.map((_, n) => {
    const y = Array.from(m.subarray(n * per, (n + 1) * per));
    const max = Math.max(...y);
    const e = y.map((v) => Math.exp((v - max) / MAX_TEMPERATURE));
    const z = e.reduce((a, b) => a + b, 0);
    return { max, mean: y.reduce((a, b) => a + b, 0) / per, smooth: y.reduce((a, v, i) => a + (e[i] / z) * v, 0) };
  });
}

describe('featureObjective', () => {
  it("'max' is the smooth max of the pre-ReLU map, and its gradient is its ascent direction", async () => {
    const { plan, r } = await runnerFor(LAYER, 'max');
    expect(plan.tensor).toBe(PRE);
    expect(plan.model).not.toBe(lm.model); // a copy with the pooled output appended
    expect(lm.model.graph.node.some((n) => n.opType === 'Softmax')).toBe(false); // the original is untouched
    const { value, grad } = await r.run(x);
    const stats = await preStats();
    stats.forEach(({ max, mean, smooth }, n) => {
      expect(value[n]).toBeCloseTo(smooth, 3);
      expect(value[n]).toBeLessThanOrEqual(max + 1e-4);
      expect(value[n]).toBeGreaterThan(mean + 0.1); // nearer the max than the mean objective is
    });
    // A small step along the gradient raises the objective by ε·|∇f|² to first order.
    const per = x.data.length / 2;
    const eps = 1e-3;
    const stepped = (await r.run({ dims: x.dims, data: Float32Array.from(x.data, (v, i) => v + eps * grad.data[i]) })).value;
    for (let n = 0; n < 2; n++) {
      let g2 = 0;
      for (let i = n * per; i < (n + 1) * per; i++) g2 += grad.data[i] ** 2;
      const ratio = (stepped[n] - value[n]) / (eps * g2);
      expect(ratio).toBeGreaterThan(0.95);
      expect(ratio).toBeLessThan(1.1);
    }
  });

  it("'mean' is the channel mean on the model as it is", async () => {
    const { plan, r } = await runnerFor(LAYER, 'mean');
    expect(plan.model).toBe(lm.model);
    expect(plan.target).toEqual({ kind: 'unit', tensor: PRE, unit: UNIT, reduce: 'mean' });
    const { value } = await r.run(x);
    (await preStats()).forEach(({ mean }, n) => expect(value[n]).toBeCloseTo(mean, 4));
  });

  it('a vector layer is its own objective; other ranks and objectives are refused', () => {
    for (const o of ['max', 'mean'] as const) {
      const plan = featureObjective(lm.model, 'logits', [1, 10], 4, o);
      expect(plan.model).toBe(lm.model);
      expect(plan.target).toEqual({ kind: 'unit', tensor: 'logits', unit: 4, reduce: 'sum' });
    }
    expect(() => featureObjective(lm.model, LAYER, [1, 64, 16], 0, 'max')).toThrow(/rank 3/);
    expect(() => featureObjective(lm.model, LAYER, [1, 64, 16, 16], 0, 'median' as FeatureObjective)).toThrow(/Unknown objective/);
  });
});
