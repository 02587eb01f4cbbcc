/**
 * Feature visualisation on the built-in model through the worker's handlers (as the tab runs it):
 * a unit's visualisations beat its best dataset exemplar (the spatial max, the exemplar ranking
 * score, over the first 2,000 built-in scenes), progress reports steps and previews, the same seed
 * gives the same images and another seed other ones; the objective is the pre-ReLU smooth spatial max by
 * default, the mean on request. Attribution requests answer too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../src/engine/data/datasets';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { EngineHandlers } from '../../src/worker/handlers';
import type { EngineRequest, EngineResponseBody, Progress } from '../../src/worker/protocol';
import { REPO_ROOT } from '../setup/fixturePaths';
import { loadTestBanks } from '../synth/banks';

const BYTES = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx')));
const LAYER = '/stage3/block0/relu2/Relu_output_0';
const UNIT = 3;
const SCENES = 2000;
const signal = new AbortController().signal;
const handlers = new EngineHandlers(nodeRuntime());

async function ask<K extends EngineRequest['kind']>(req: Extract<EngineRequest, { kind: K }>, progress: (p: Progress) => void = () => undefined) {
  return (await handlers.handle(req, signal, progress)) as Extract<EngineResponseBody, { kind: K }>;
}

let bestExemplar = -Infinity;
beforeAll(async () => {
  await ask({ kind: 'loadModel', name: 'placeholder', bytes: BYTES.slice() });
  // The unit's best exemplar: the largest spatial max over the scenes.
  const model = await LoadedModel.open(nodeRuntime(), BYTES.slice(), 'placeholder');
  const ds = await openDataset('scenes-test', loadTestBanks(), { count: SCENES });
  for (let i = 0; i < SCENES; i += 200) {
    const r = await model.run({ images: Array.from({ length: 200 }, (_, k) => ds.image(i + k)), layers: [LAYER] });
    for (let k = 0; k < 200; k++) bestExemplar = Math.max(bestExemplar, r.stats[LAYER].max.data[k * 64 + UNIT]);
  }
  await model.release();
}, 300_000);
afterAll(() => handlers.handle({ kind: 'releaseModel' }, signal, () => undefined));

describe('featureVis', () => {
  it('beats the best exemplar, with progress; a seed reproduces its images', async () => {
    const seen: Progress[] = [];
    const req = { kind: 'featureVis', layer: LAYER, unit: UNIT, seed: 7, samples: 2, steps: 128 } as const;
    const { result: a } = await ask(req, (p) => seen.push(p));
    console.log(`[featvis] unit ${UNIT}: visualisation max ${a.activation.map((v) => v.toFixed(2)).join(', ')} vs best exemplar ${bestExemplar.toFixed(2)} (first ${SCENES} scenes); ${(a.ms / 1000).toFixed(1)} s for ${a.steps} steps × 2`);
    expect(a.images).toHaveLength(2);
    expect(a.images[0]).toMatchObject({ width: 64, height: 64, channels: 3 });
    expect(a.objective).toBe('max'); // the default: the exemplars' own score
    expect(a.objectiveTensor).toBe('/stage3/block0/Add_output_0'); // the ReLU's input
    // The objective (the pre-ReLU smooth max) is at most the activation (the post-ReLU max).
    a.objectiveValues.forEach((v, i) => expect(v).toBeLessThanOrEqual(a.activation[i] + 1e-3));
    for (const v of a.activation) expect(v).toBeGreaterThan(bestExemplar);
    const steps = seen.filter((p) => p.featvis).map((p) => p.featvis!.step);
    expect(steps.at(-1)).toBe(128);
    expect(steps).toEqual([...steps].sort((x, y) => x - y));
    expect(seen.some((p) => p.featvis?.preview?.length === 2)).toBe(true);
    // The objective rose during the optimisation.
    const values = seen.filter((p) => p.featvis).map((p) => p.featvis!.values[0]);
    expect(values.at(-1)!).toBeGreaterThan(values[0] + 1);

    const { result: again } = await ask(req);
    expect(Buffer.from(again.images[0].data).equals(Buffer.from(a.images[0].data))).toBe(true);
    expect(again.activation).toEqual(a.activation);
    const { result: other } = await ask({ ...req, seed: 8, steps: 16 });
    expect(Buffer.from(other.images[0].data).equals(Buffer.from(a.images[0].data))).toBe(false);
    // The mean objective: other images from the same seed, its value below the max.
    const { result: mean } = await ask({ ...req, steps: 16, objective: 'mean' });
    expect(mean.objective).toBe('mean');
    expect(Buffer.from(mean.images[0].data).equals(Buffer.from(a.images[0].data))).toBe(false);
    mean.objectiveValues.forEach((v, i) => expect(v).toBeLessThan(mean.activation[i]));
  }, 300_000);

  it('refuses a unit out of range, a bad seed and an unknown objective', async () => {
    await expect(ask({ kind: 'featureVis', layer: LAYER, unit: 64, seed: 1 })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(ask({ kind: 'featureVis', layer: LAYER, unit: 1, seed: -1, steps: 1 })).rejects.toMatchObject({ code: 'bad-request' });
    await expect(ask({ kind: 'featureVis', layer: LAYER, unit: 1, seed: 1, steps: 1, objective: 'median' as never })).rejects.toMatchObject({ code: 'bad-request' });
  });
});

describe('attribution requests', () => {
  it('gradient × input and integrated gradients of a scene, for a unit and a logit', async () => {
    const ds = await openDataset('scenes-test', loadTestBanks(), { count: 5 });
    const image = ds.image(3);
    const gi = await ask({ kind: 'attribution', image, target: { kind: 'unit', layer: LAYER, unit: UNIT }, method: 'grad-input' });
    expect(gi.result.map.dims).toEqual([64, 64]);
    expect(gi.result.completenessError).toBeNull();
    const seen: Progress[] = [];
    const ig = await ask({ kind: 'attribution', image, target: { kind: 'logit', index: 2 }, method: 'integrated-gradients', baseline: 'blur', steps: 32 }, (p) => seen.push(p));
    expect(ig.result.completenessError!).toBeLessThan(0.05);
    expect(ig.result.sum).toBeCloseTo(ig.result.map.data.reduce((s, v) => s + v, 0), 2);
    expect(seen.at(-1)!.fraction).toBe(1);
    await expect(ask({ kind: 'attribution', image, target: { kind: 'logit', index: 10 }, method: 'grad-input' })).rejects.toMatchObject({ code: 'bad-request' });
  });
});
