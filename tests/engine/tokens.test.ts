/**
 * Token layers: the layout rule, and on the small ViT fixture (torchvision's VisionTransformer,
 * 64 px, 16 patches and a class token) that inspection lists [1,T,C] activations as layers whose
 * units are channels, that probes reduce over the patch tokens and lay a unit's map on the patch
 * grid (the class token left out), that a mask scales a channel across every token, and that
 * feature visualisation's objectives read the patch map. Values are checked against the raw tensor
 * from the same onnxruntime run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openGradientRunner, type GradientRunner } from '../../src/engine/attribution';
import { imagesToTensor } from '../../src/engine/data/preprocess';
import { featureObjective, MAX_TEMPERATURE } from '../../src/engine/featvis';
import { inspectModel } from '../../src/engine/lab/inspect';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { addMasks, maskInput } from '../../src/engine/onnx/masks';
import { decodeModel, encodeModel } from '../../src/engine/onnx/model';
import { addProbes, exposeTensors, probeOutput } from '../../src/engine/onnx/probes';
import { hasMap, tokenLayout } from '../../src/engine/onnx/tokens';
import { buildGradientModel, tensorShapes } from '../../src/engine/onnx/backward';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { Layer, ModelSummary, TensorF32, TokenLayout } from '../../src/engine/types';
import { readFixtureRef, sinInput } from '../setup/fixturePaths';
import { readFixture, relError } from './helpers';

const runtime = nodeRuntime();

describe('tokenLayout', () => {
  it.each([
    ['ViT-B/16 at 224: a class token and 14×14 patches', [1, 197, 768], [224, 224], { prefix: 1, grid: [14, 14] }],
    ['no class token (pooled-token models, Swin flattened)', [1, 196, 768], [224, 224], { prefix: 0, grid: [14, 14] }],
    ['ViT-B/32: 7×7', [1, 50, 768], [224, 224], { prefix: 1, grid: [7, 7] }],
    ['a class and a distillation token (DeiT)', [1, 198, 384], [224, 224], { prefix: 2, grid: [14, 14] }],
    ['a 2:1 image, 16-px patches', [1, 1 + 8 * 16, 64], [128, 256], { prefix: 1, grid: [8, 16] }],
  ] as const)('%s', (_name, dims, image, want) => {
    expect(tokenLayout(dims, image)).toEqual(want);
  });
  it.each([
    ['tokens that tile no patch grid', [1, 100, 64], [224, 224]],
    ['not rank 3', [1, 197, 768, 1], [224, 224]],
  ] as const)('null for %s', (_name, dims, image) => {
    expect(tokenLayout(dims, image)).toBeNull();
  });
  it('hasMap: NCHW and token layers, not vectors', () => {
    expect(hasMap({ shape: [1, 8, 4, 4] })).toBe(true);
    expect(hasMap({ shape: [1, 17, 8], tokens: { prefix: 1, grid: [4, 4] } })).toBe(true);
    expect(hasMap({ shape: [1, 10] })).toBe(false);
  });
});

describe('vit_mini token layers', () => {
  const bytes = readFixture('vit_mini.onnx');
  const ref = readFixtureRef('vit_mini');
  const input = { dims: ref.input.shape, data: sinInput(ref.input.shape) };
  let summary: ModelSummary;
  let tokenLayers: Layer[];
  let raw: Record<string, TensorF32>;

  beforeAll(async () => {
    summary = (await inspectModel(runtime, bytes, 'vit_mini')).summary;
    tokenLayers = summary.layers.filter((l) => l.tokens);
    const exposed = exposeTensors(decodeModel(bytes), tokenLayers.map((l) => l.tensor));
    const session = await runtime.createSession(encodeModel(exposed));
    try {
      raw = await session.run({ input });
    } finally {
      await session.release();
    }
  });

  it('lists the [1,T,C] activations as layers: units are channels, 16 patches and a class token', () => {
    // Per block at least the two residual sums, the two norms and the MLP's hidden layer.
    expect(tokenLayers.length).toBeGreaterThanOrEqual(10);
    for (const l of tokenLayers) {
      expect(l.shape).toHaveLength(3);
      expect(l.shape[1]).toBe(17);
      expect(l.channels).toBe(l.shape[2]);
      expect(l.tokens).toEqual({ prefix: 1, grid: [4, 4] });
    }
    const labels = tokenLayers.map((l) => l.label);
    expect(labels.some((x) => x.startsWith('encoder.layers.encoder_layer_1'))).toBe(true);
    // The MLP's hidden units (128 of them) are a layer too.
    expect(tokenLayers.some((l) => l.channels === 128)).toBe(true);
    // The conv stem stays an NCHW layer.
    expect(summary.layers.some((l) => l.shape.length === 4 && !l.tokens)).toBe(true);
  });

  it('probes reduce each channel over the patch tokens and map a unit onto the 4×4 grid, the class token left out', async () => {
    const unit = 5;
    const probed = addProbes(decodeModel(bytes), {
      layers: tokenLayers.map((l) => ({ tensor: l.tensor, rank: 3, tokens: l.tokens })),
      maps: tokenLayers.map((l) => ({ tensor: l.tensor, unit, tokens: l.tokens })),
    });
    const session = await runtime.createSession(encodeModel(probed));
    try {
      const out = await session.run({ input });
      for (const l of tokenLayers) {
        const t = raw[l.tensor];
        const [, T, C] = t.dims;
        const max = new Float32Array(C).fill(-Infinity);
        const mean = new Float32Array(C);
        for (let k = 1; k < T; k++) {
          for (let c = 0; c < C; c++) {
            const v = t.data[k * C + c];
            max[c] = Math.max(max[c], v);
            mean[c] += v / (T - 1);
          }
        }
        expect(out[probeOutput.max(l.tensor)].dims).toEqual([1, C]);
        expect(relError(max, out[probeOutput.max(l.tensor)].data)).toBeLessThan(1e-6);
        expect(relError(mean, out[probeOutput.mean(l.tensor)].data)).toBeLessThan(1e-5);
        const map = out[probeOutput.map(l.tensor, unit)];
        expect(map.dims).toEqual([1, 4, 4]);
        // Row-major patches: map[r][c] is token 1 + 4r + c.
        expect(Array.from(map.data)).toEqual(Array.from({ length: 16 }, (_, p) => t.data[(1 + p) * C + unit]));
        // The class token is not in the map; it is an output of its own.
        expect(Array.from(map.data)).not.toContain(t.data[unit]);
        const cls = out[probeOutput.classToken(l.tensor, unit)];
        expect(cls.dims).toEqual([1, 1]);
        expect(cls.data[0]).toBe(t.data[unit]);
      }
    } finally {
      await session.release();
    }
  });

  it('LoadedModel.run returns token-layer stats, [N,h,w] maps and the class token apart', async () => {
    const loaded = await LoadedModel.open(runtime, bytes, 'vit_mini');
    try {
      const layer = tokenLayers[tokenLayers.length - 1];
      const image = { width: 64, height: 64, channels: 3 as const, data: new Uint8Array(64 * 64 * 3).map((_, i) => (i * 7) % 256) };
      const result = await loaded.run({ images: [image, image], layers: [layer.tensor], maps: [{ layer: layer.tensor, unit: 3 }] });
      expect(result.stats[layer.tensor].max.dims).toEqual([2, layer.channels]);
      expect(result.maps[`${layer.tensor}#3`].dims).toEqual([2, 4, 4]);
      expect(result.classTokens?.[`${layer.tensor}#3`].dims).toEqual([2, 1]);
    } finally {
      await loaded.release();
    }
  });

  it("feature visualisation on a token layer: 'max' is the smooth max over the patch map, 'mean' its mean, with ascent gradients", async () => {
    const loaded = await LoadedModel.open(runtime, bytes, 'vit_mini');
    const layer = tokenLayers[tokenLayers.length - 1];
    const unit = 7;
    const images = [0, 1].map((k) => ({ width: 64, height: 64, channels: 3 as const, data: new Uint8Array(64 * 64 * 3).map((_, i) => (i * (5 + k)) % 251) }));
    const x = imagesToTensor(images, loaded.summary.preprocess);
    const map = (await loaded.run({ images, maps: [{ layer: layer.tensor, unit }] })).maps[`${layer.tensor}#${unit}`].data;
    const runners: GradientRunner[] = [];
    try {
      for (const objective of ['max', 'mean'] as const) {
        const plan = featureObjective(loaded.model, layer.tensor, layer.shape, unit, objective, layer.tokens);
        const r = await openGradientRunner(runtime, plan.model, loaded.summary.imageInput.name, loaded.summary.preprocess.size, plan.target);
        runners.push(r);
        const { value, grad } = await r.run(x);
        for (let n = 0; n < 2; n++) {
          const y = Array.from(map.subarray(n * 16, (n + 1) * 16));
          const top = Math.max(...y);
          const e = y.map((v) => Math.exp((v - top) / MAX_TEMPERATURE));
          const z = e.reduce((p, q) => p + q, 0);
          const want = objective === 'max' ? y.reduce((p, v, i) => p + (e[i] / z) * v, 0) : y.reduce((p, v) => p + v, 0) / 16;
          expect(value[n]).toBeCloseTo(want, 4);
        }
        // A small step along the gradient raises each image's objective by about ε·|∇|².
        const eps = 1e-3;
        const stepped = (await r.run({ dims: x.dims, data: Float32Array.from(x.data, (v, i) => v + eps * grad.data[i]) })).value;
        const per = x.data.length / 2;
        for (let n = 0; n < 2; n++) {
          let g2 = 0;
          for (let i = n * per; i < (n + 1) * per; i++) g2 += grad.data[i] ** 2;
          const ratio = (stepped[n] - value[n]) / (eps * g2);
          expect(ratio).toBeGreaterThan(0.9);
          expect(ratio).toBeLessThan(1.1);
        }
      }
    } finally {
      for (const r of runners) await r.release();
      await loaded.release();
    }
  });

  it('a unit target whose token layout does not fit the tensor is a bad request', async () => {
    const model = decodeModel(bytes);
    const shapes = await tensorShapes(runtime, model);
    const layer = tokenLayers[0];
    const build = (tokens: TokenLayout) =>
      buildGradientModel(model, { target: { kind: 'unit', tensor: layer.tensor, unit: 0, reduce: 'mean', tokens }, wrt: ['input'], shapes });
    expect(() => build({ prefix: 0, grid: [4, 4] })).toThrow(expect.objectContaining({ code: 'bad-request', message: expect.stringMatching(/not a token layer of 0 \+ 4×4/) }));
    expect(build(layer.tokens!).differentiated).toBeGreaterThan(0);
  });

  it('a zeroed mask on a token layer zeroes that channel on every token, class token included; all-ones changes nothing', async () => {
    const layer = tokenLayers[0];
    const C = layer.channels;
    const masked = exposeTensors(addMasks(decodeModel(bytes), [{ tensor: layer.tensor, channels: C, rank: 3 }]), [layer.tensor]);
    const session = await runtime.createSession(encodeModel(masked));
    try {
      const ones = new Float32Array(C).fill(1);
      const same = await session.run({ input, [maskInput(layer.tensor)]: { dims: [1, 1, C], data: ones } });
      expect(relError(raw[layer.tensor].data, same[layer.tensor].data)).toBe(0);
      const off = Float32Array.from(ones);
      off[2] = 0;
      const out = await session.run({ input, [maskInput(layer.tensor)]: { dims: [1, 1, C], data: off } });
      const t = out[layer.tensor];
      for (let k = 0; k < t.dims[1]; k++) {
        expect(Math.abs(t.data[k * C + 2])).toBe(0);
        expect(t.data[k * C + 3]).toBe(raw[layer.tensor].data[k * C + 3]);
      }
      expect(relError(same[ref.output.name].data, out[ref.output.name].data)).toBeGreaterThan(0);
    } finally {
      await session.release();
    }
  });

});
