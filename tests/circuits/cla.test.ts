/**
 * CLA edge weights against PyTorch autograd (tests/fixtures/make_circuits.py) on a torchvision
 * ResNet-18 and on the built-in scene model, for logit, mean and max targets: 1e-4 relative to the
 * largest weight of each layer pair. The engine batches rows (image × upper unit) in one gradient
 * session per pair; torch differentiates each image and unit on its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClaPair } from '../../src/engine/circuits/cla';
import { modelShapes } from '../../src/engine/circuits/discover';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import type { TensorShapes } from '../../src/engine/onnx/backward';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { REPO_ROOT } from '../setup/fixturePaths';
import { CIRCUIT_REF_MODELS, readCircuitRef, relativeError } from './references';

const runtime = nodeRuntime();

describe.each(CIRCUIT_REF_MODELS)('CLA edge weights on %s equal torch autograd', (name) => {
  const { ref, input } = readCircuitRef(name);
  let model: LoadedModel;
  let shapes: TensorShapes;
  beforeAll(async () => {
    const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, ref.model)));
    model = await LoadedModel.open(runtime, bytes, name, { session: { threads: 2 } });
    shapes = await modelShapes(runtime, model);
  });
  afterAll(() => model?.release());

  it.each(ref.cases.map((c) => [`${c.upperModule} ← ${c.lowerModule} (${c.reduce})`, c] as const))('%s', async (_, c) => {
    const pair = await openClaPair(runtime, model.model, shapes, c.upper, c.lower, c.reduce, ref.input.name, { threads: 2 });
    try {
      // 2 rows per run: the rows of one image for different units, and images, cross run boundaries.
      const w = await pair.edges({ dims: ref.input.shape, data: input }, c.units, 2);
      const C = pair.lowerChannels;
      expect(w.length).toBe(c.units.length * C);
      c.units.forEach((_, u) => {
        const err = relativeError(w.subarray(u * C, (u + 1) * C), c.weights[u]);
        expect(err, `unit ${c.units[u]}: relative error ${err.toExponential(2)}`).toBeLessThan(1e-4);
      });
      // The weights are not trivially equal: units differ, and most lower units get a weight.
      const nonzero = c.weights[0].filter((v) => v > 0).length;
      expect(nonzero).toBeGreaterThan(C / 4);
    } finally {
      await pair.release();
    }
  });
});
