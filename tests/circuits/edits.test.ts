/**
 * applyEdits: a unit scaled to 0 equals the mask ablation of that unit; a scale multiplies the
 * channel; a pruned conv edge changes only the upper unit, exactly as zeroing the lower unit's
 * input to that one output channel would; edges without one joining Conv are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEdits, shapesOfLayers } from '../../src/engine/circuits';
import { imagesToTensor } from '../../src/engine/data/preprocess';
import type { LoadedModel } from '../../src/engine/lab/loadedModel';
import { addMasks, maskInput } from '../../src/engine/onnx/masks';
import { encodeModel, type Model } from '../../src/engine/onnx/model';
import { exposeTensors } from '../../src/engine/onnx/probes';
import type { TensorF32 } from '../../src/engine/types';
import { openScenes, openScenesModel, runtime } from './helpers';

let model: LoadedModel;
let input: TensorF32;
beforeAll(async () => {
  const [m, scenes] = await Promise.all([openScenesModel(), openScenes()]);
  model = m;
  input = imagesToTensor([0, 1, 2].map((i) => scenes.image(i)), m.summary.preprocess);
}, 120_000);
afterAll(() => model?.release());

const tensor = (label: string) => model.summary.layers.find((l) => l.label === label)!.tensor;

async function run(m: Model, outputs: string[], extra: Record<string, TensorF32> = {}) {
  const s = await runtime.createSession(encodeModel(exposeTensors(m, outputs)));
  try {
    const out = await s.run({ [model.summary.imageInput.name]: input, ...extra }, { outputs });
    return outputs.map((o) => out[o].data);
  } finally {
    await s.release();
  }
}

describe('applyEdits', () => {
  it('scales a unit: 0 is the mask ablation, 2 doubles the channel', async () => {
    const layer = tensor('stage2.block1.relu2');
    const shapes = shapesOfLayers(model.summary.layers);
    const off = applyEdits(model.model, [{ kind: 'unit', layer, unit: 5, scale: 0 }], shapes);
    const mask = new Float32Array(64).fill(1);
    mask[5] = 0;
    const [edited] = await run(off, ['logits']);
    const [masked] = await run(addMasks(model.model, [{ tensor: layer, channels: 64, rank: 4 }]), ['logits'], { [maskInput(layer)]: { dims: [1, 64, 1, 1], data: mask } });
    const [clean] = await run(model.model, ['logits']);
    expect(Array.from(edited)).toEqual(Array.from(masked));
    expect(Array.from(edited)).not.toEqual(Array.from(clean));
    const [doubled] = await run(applyEdits(model.model, [{ kind: 'unit', layer, unit: 5, scale: 2 }], shapes), [layer]);
    const [plain] = await run(model.model, [layer]);
    const plane = 16 * 16;
    for (let i = 0; i < plane; i++) expect(doubled[5 * plane + i]).toBeCloseTo(2 * plain[5 * plane + i], 5);
    expect(doubled[6 * plane + 3]).toBe(plain[6 * plane + 3]);
  });

  it('prunes a conv edge: only the upper unit changes, as if the lower unit fed it zeros', async () => {
    const lower = tensor('stage2.block1.relu1');
    const upper = tensor('stage2.block1.conv2');
    const edited = applyEdits(model.model, [{ kind: 'edge', from: { layer: lower, unit: 3 }, to: { layer: upper, unit: 10 } }], shapesOfLayers(model.summary.layers));
    const [pruned] = await run(edited, [upper]);
    const [clean] = await run(model.model, [upper]);
    const mask = new Float32Array(64).fill(1);
    mask[3] = 0;
    const [cut] = await run(addMasks(model.model, [{ tensor: lower, channels: 64, rank: 4 }]), [upper], { [maskInput(lower)]: { dims: [1, 64, 1, 1], data: mask } });
    const plane = 16 * 16;
    let changed = 0;
    for (let b = 0; b < 3; b++) {
      for (let c = 0; c < 64; c++) {
        for (let i = 0; i < plane; i++) {
          const at = (b * 64 + c) * plane + i;
          if (c === 10) {
            expect(pruned[at]).toBeCloseTo(cut[at], 4);
            if (Math.abs(pruned[at] - clean[at]) > 1e-4) changed++;
          } else expect(pruned[at]).toBe(clean[at]);
        }
      }
    }
    expect(changed).toBeGreaterThan(10);
    // The original model is untouched.
    const [still] = await run(model.model, [upper]);
    expect(Array.from(still)).toEqual(Array.from(clean));
  });

  it('refuses an edge between layers that no single Conv joins', () => {
    expect(() =>
      applyEdits(model.model, [{ kind: 'edge', from: { layer: tensor('stage1.block0.relu2'), unit: 0 }, to: { layer: tensor('stage2.block1.relu2'), unit: 0 } }], shapesOfLayers(model.summary.layers)),
    ).toThrow(/No single Conv joins/);
  });
});
