/**
 * Inspection and surgery on real torchvision exports: the engine's runs match PyTorch, probing
 * every layer and all-ones masks leave the logits unchanged, and masks really ablate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectModel } from '../../src/engine/lab/inspect';
import { decodeModel, encodeModel } from '../../src/engine/onnx/model';
import { addMasks, maskInput } from '../../src/engine/onnx/masks';
import { addProbes, probeOutput } from '../../src/engine/onnx/probes';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { Session } from '../../src/engine/runtime/types';
import type { ModelSummary } from '../../src/engine/types';
import { readFixtureRef, sinInput } from '../setup/fixturePaths';
import { readFixture, relError } from './helpers';

const runtime = nodeRuntime();
const ARCHS = ['resnet18', 'mobilenet_v3_small', 'efficientnet_b0', 'squeezenet1_0', 'densenet121', 'googlenet'] as const;

describe.each(ARCHS)('%s', (arch) => {
  const bytes = readFixture(`${arch}.onnx`);
  const ref = readFixtureRef(arch);
  const input = { dims: ref.input.shape, data: sinInput(ref.input.shape) };
  let summary: ModelSummary;
  let base: Session;
  let baseLogits: Float32Array;

  beforeAll(async () => {
    summary = (await inspectModel(runtime, bytes, arch)).summary;
    base = await runtime.createSession(bytes);
    baseLogits = (await base.run({ input }))[ref.output.name].data;
  });
  afterAll(() => base.release());

  it('runs like PyTorch (first logits within 1e-4)', () => {
    expect(relError(ref.logits10, baseLogits.subarray(0, 10))).toBeLessThan(1e-4);
  });

  it('lists layers with channel counts from the dry run', () => {
    expect(summary.layers.length).toBeGreaterThan(10);
    for (const l of summary.layers) {
      expect(l.shape[1]).toBe(l.channels);
      expect([2, 4]).toContain(l.shape.length);
      expect(l.label.length).toBeGreaterThan(0);
    }
    expect(new Set(summary.layers.map((l) => l.label)).size).toBe(summary.layers.length);
    const last = summary.layers[summary.layers.length - 1];
    expect(last.channels).toBe(1000);
  });

  it('probing every layer leaves the logits equal (1e-5 relative) and reports max ≥ mean', async () => {
    const probed = addProbes(decodeModel(bytes), {
      layers: summary.layers.map((l) => ({ tensor: l.tensor, rank: l.shape.length })),
      maps: [{ tensor: summary.layers[0].tensor, unit: 0 }],
    });
    const session = await runtime.createSession(encodeModel(probed));
    try {
      const out = await session.run({ input });
      expect(relError(baseLogits, out[ref.output.name].data)).toBeLessThan(1e-5);
      for (const l of summary.layers) {
        const max = out[probeOutput.max(l.tensor)];
        const mean = out[probeOutput.mean(l.tensor)];
        expect(max.dims).toEqual([1, l.channels]);
        for (let c = 0; c < l.channels; c++) expect(max.data[c]).toBeGreaterThanOrEqual(mean.data[c] - 1e-5);
      }
      const map = out[probeOutput.map(summary.layers[0].tensor, 0)];
      expect(map.dims).toEqual([1, summary.layers[0].shape[2], summary.layers[0].shape[3]]);
      expect(Math.max(...map.data)).toBeCloseTo(out[probeOutput.max(summary.layers[0].tensor)].data[0], 5);
    } finally {
      await session.release();
    }
  });

  it('all-ones masks leave the logits equal; a zeroed unit reads zero downstream of its mask', async () => {
    const spatial = summary.layers.filter((l) => l.shape.length === 4);
    const chosen = [spatial[1], spatial[Math.floor(spatial.length / 2)]];
    const masked = addMasks(
      decodeModel(bytes),
      chosen.map((l) => ({ tensor: l.tensor, channels: l.channels, rank: 4 })),
    );
    const probed = addProbes(masked, { layers: chosen.map((l) => ({ tensor: l.tensor, rank: 4 })) });
    const session = await runtime.createSession(encodeModel(probed));
    try {
      const ones = Object.fromEntries(
        chosen.map((l) => [maskInput(l.tensor), { dims: [1, l.channels, 1, 1], data: new Float32Array(l.channels).fill(1) }]),
      );
      const same = await session.run({ input, ...ones });
      expect(relError(baseLogits, same[ref.output.name].data)).toBeLessThan(1e-5);

      const target = chosen[1];
      // The unit with the strongest response, so that its ablation must show downstream.
      const maxes = Array.from(same[probeOutput.max(target.tensor)].data, Math.abs);
      const unit = maxes.indexOf(Math.max(...maxes));
      expect(maxes[unit]).toBeGreaterThan(0);
      const zero = new Float32Array(target.channels).fill(1);
      zero[unit] = 0;
      const ablated = await session.run({ input, ...ones, [maskInput(target.tensor)]: { dims: [1, target.channels, 1, 1], data: zero } });
      expect(Math.abs(ablated[probeOutput.max(target.tensor)].data[unit])).toBe(0);
      expect(relError(baseLogits, ablated[ref.output.name].data)).toBeGreaterThan(0);
    } finally {
      await session.release();
    }
  });
});
