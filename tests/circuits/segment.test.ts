/**
 * The segment between two layers reproduces the whole model's upper tensor from the lower one
 * and its side inputs — on DenseNet-121, where a dense block's later layers also read the
 * features from before the lower layer (so the segment needs side inputs).
 */
import { describe, expect, it } from 'vitest';
import { segmentModel } from '../../src/engine/circuits/segment';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { tensorShapes } from '../../src/engine/onnx/backward';
import { encodeModel } from '../../src/engine/onnx/model';
import { exposeTensors } from '../../src/engine/onnx/probes';
import { readFixture } from '../engine/helpers';
import { sinInput } from '../setup/fixturePaths';
import { runtime } from './helpers';

describe('segmentModel', () => {
  it('feeds side inputs where the upper layer reads more than the lower one (DenseNet-121)', async () => {
    const model = await LoadedModel.open(runtime, readFixture('densenet121.onnx'), 'densenet121.onnx');
    try {
      const t = (label: string) => model.summary.layers.find((l) => l.label === label)!.tensor;
      const lower = t('features.denseblock1.denselayer2.conv2');
      const upper = t('features.denseblock1.denselayer4.conv2');
      const shapes = await tensorShapes(runtime, model.model);
      const seg = segmentModel(model.model, lower, upper, shapes.dims);
      expect(seg.sides.length).toBeGreaterThan(0);
      expect(seg.model.graph.node.length).toBeLessThan(model.model.graph.node.length / 10);
      const input = { dims: [1, 3, 224, 224], data: sinInput([1, 3, 224, 224]) };
      const full = await runtime.createSession(encodeModel(exposeTensors(model.model, [lower, upper, ...seg.sides])));
      const whole = await full.run({ [model.summary.imageInput.name]: input }, { outputs: [lower, upper, ...seg.sides] });
      await full.release();
      const part = await runtime.createSession(encodeModel(seg.model));
      const feeds = Object.fromEntries([lower, ...seg.sides].map((x) => [x, { dims: whole[x].dims, data: whole[x].data }]));
      const out = await part.run(feeds, { outputs: [upper] });
      await part.release();
      const want = whole[upper].data;
      let err = 0;
      let scale = 0;
      for (let i = 0; i < want.length; i++) {
        err = Math.max(err, Math.abs(out[upper].data[i] - want[i]));
        scale = Math.max(scale, Math.abs(want[i]));
      }
      expect(err / scale).toBeLessThan(1e-5);
    } finally {
      await model.release();
    }
  });

  it('refuses layers in the wrong order', async () => {
    const model = await LoadedModel.open(runtime, readFixture('densenet121.onnx'), 'densenet121.onnx');
    try {
      const t = (label: string) => model.summary.layers.find((l) => l.label === label)!.tensor;
      const shapes = await tensorShapes(runtime, model.model);
      expect(() => segmentModel(model.model, t('features.denseblock1.denselayer4.conv2'), t('features.denseblock1.denselayer2.conv2'), shapes.dims)).toThrow(/does not depend on/);
    } finally {
      await model.release();
    }
  });
});
