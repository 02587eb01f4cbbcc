/**
 * buildGradientModel as an API: pruning, errors, targets, batches, the forward outputs, and
 * onnxruntime-web (WASM, run here under Node) accepting every op the backward graphs use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../src/engine/errors';
import { buildGradientModel, gradientModel, RULES, tensorShapes, type TensorShapes } from '../../src/engine/onnx/backward';
import { float } from '../../src/engine/onnx/backward/builder';
import { decodeModel, encodeModel, type Model } from '../../src/engine/onnx/model';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { TensorF32 } from '../../src/engine/types';
import { relError } from '../engine/helpers';
import { REPO_ROOT, fixturePath } from '../setup/fixturePaths';
import { floatInit, int64Init, modelOf, node, uniform } from './fd';

const runtime = nodeRuntime();
const placeholderBytes = new Uint8Array(readFileSync(join(REPO_ROOT, 'models/placeholder-fmnist.onnx')));
const MIDDLE = '/stage2/block0/relu2/Relu_output_0';

async function run(model: Model, feeds: Record<string, TensorF32>) {
  const session = await runtime.createSession(encodeModel(model));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function image(seed: number, n = 1): TensorF32 {
  return { dims: [n, 3, 64, 64], data: uniform(n * 3 * 64 * 64, seed, -1.5, 2.5) };
}

describe('buildGradientModel on the built-in model', () => {
  let model: Model;
  let shapes: TensorShapes;
  beforeAll(async () => {
    model = decodeModel(placeholderBytes);
    shapes = await tensorShapes(runtime, model);
  });

  it('dry-run shapes keep the batch at 2 and the image size fixed', () => {
    expect(shapes.batch).toBe(2);
    expect(shapes.dims.image).toEqual([2, 3, 64, 64]);
    expect(shapes.dims[MIDDLE]).toEqual([2, 32, 32, 32]);
  });

  it("resolves 'input' to the image input, keeps the forward outputs, and reports the target", async () => {
    const built = buildGradientModel(model, { target: { kind: 'logit', index: 3 }, wrt: ['input'], shapes });
    expect(Object.keys(built.outputs.grads)).toEqual(['input']);
    expect(built.outputs.forward).toEqual(['logits']);
    expect(built.model.graph.output.map((o) => o.name).slice(0, 1)).toEqual(['logits']);
    expect(model.graph.node.length).toBe(22); // the caller's model is not touched
    const x = image(1);
    const base = await run(model, { image: x });
    const out = await run(built.model, { image: x });
    expect(relError(base.logits.data, out.logits.data)).toBe(0);
    expect(out[built.outputs.target].data[0]).toBeCloseTo(base.logits.data[3], 5);
    expect(out[built.outputs.grads.input].dims).toEqual([1, 3, 64, 64]);
  });

  it('batch of 3: each image gets the gradient of its own target', async () => {
    const target = { kind: 'unit', tensor: MIDDLE, unit: 5, reduce: 'mean' } as const;
    const built = buildGradientModel(model, { target, wrt: ['input', MIDDLE], shapes });
    const batch = image(2, 3);
    const out = await run(built.model, { image: batch });
    expect(out[built.outputs.grads.input].dims).toEqual([3, 3, 64, 64]);
    const per = 3 * 64 * 64;
    for (let n = 0; n < 3; n++) {
      const one = { dims: [1, 3, 64, 64], data: batch.data.slice(n * per, (n + 1) * per) };
      const single = await run(built.model, { image: one });
      expect(relError(single[built.outputs.grads.input].data, out[built.outputs.grads.input].data.subarray(n * per, (n + 1) * per))).toBeLessThan(1e-5);
      expect(out[built.outputs.target].data[n]).toBeCloseTo(single[built.outputs.target].data[0], 5);
    }
    // d(target)/d(its own layer) is the seed: 1/(H·W) on the unit's channel, 0 elsewhere.
    const seed = out[built.outputs.grads[MIDDLE]];
    expect(seed.dims).toEqual([3, 32, 32, 32]);
    for (let i = 0; i < seed.data.length; i += 97) {
      const channel = Math.floor(i / (32 * 32)) % 32;
      expect(seed.data[i]).toBeCloseTo(channel === 5 ? 1 / (32 * 32) : 0, 9);
    }
  });

  it('a weighted target is the weighted sum of unit targets (linearity)', async () => {
    const units = [1, 4, 9];
    const weights = Array.from({ length: 32 }, (_, c) => (c === 1 ? 2 : c === 4 ? -0.5 : c === 9 ? 1 : 0));
    const x = image(3);
    const weighted = buildGradientModel(model, { target: { kind: 'weighted', terms: [{ tensor: MIDDLE, weights, reduce: 'sum' }] }, wrt: ['input'], shapes });
    const got = (await run(weighted.model, { image: x }))[weighted.outputs.grads.input].data;
    const want = new Float32Array(got.length);
    for (const u of units) {
      const one = buildGradientModel(model, { target: { kind: 'unit', tensor: MIDDLE, unit: u, reduce: 'sum' }, wrt: ['input'], shapes });
      const g = (await run(one.model, { image: x }))[one.outputs.grads.input].data;
      for (let i = 0; i < g.length; i++) want[i] += weights[u] * g[i];
    }
    expect(relError(want, got)).toBeLessThan(1e-5);
  });

  it('differentiates only the nodes between wrt and target', () => {
    const toLogit = buildGradientModel(model, { target: { kind: 'logit', index: 0 }, wrt: ['input'], shapes });
    expect(toLogit.differentiated).toBe(22);
    const fromMiddle = buildGradientModel(model, { target: { kind: 'logit', index: 0 }, wrt: [MIDDLE], shapes });
    // stage3 (2 convs + shortcut conv + 2 relus + add) + pool + flatten + fc
    expect(fromMiddle.differentiated).toBe(9);
    const toMiddle = buildGradientModel(model, { target: { kind: 'unit', tensor: MIDDLE, unit: 0, reduce: 'sum' }, wrt: ['input'], shapes });
    expect(toMiddle.differentiated).toBe(13);
  });

  it('a wrt tensor the target does not depend on gets zeros', async () => {
    const above = '/stage3/block0/relu2/Relu_output_0';
    const built = buildGradientModel(model, { target: { kind: 'unit', tensor: MIDDLE, unit: 0, reduce: 'sum' }, wrt: [above], shapes });
    const g = (await run(built.model, { image: image(4) }))[built.outputs.grads[above]];
    expect(g.dims).toEqual([1, 64, 16, 16]);
    expect(g.data.every((v) => v === 0)).toBe(true);
  });

  it('gradientModel does the dry run itself', async () => {
    const built = await gradientModel(runtime, model, { target: { kind: 'logit', index: 1 }, wrt: ['image'] });
    const ref = buildGradientModel(model, { target: { kind: 'logit', index: 1 }, wrt: ['image'], shapes });
    const x = image(5);
    const a = (await run(built.model, { image: x }))[built.outputs.grads.image].data;
    const b = (await run(ref.model, { image: x }))[ref.outputs.grads.image].data;
    expect(relError(b, a)).toBe(0);
  });

  it('rejects bad requests with LabError("bad-request")', () => {
    const bad = (f: () => unknown, message: RegExp) => {
      try {
        f();
      } catch (err) {
        expect(err).toBeInstanceOf(LabError);
        expect((err as LabError).code).toBe('bad-request');
        expect((err as LabError).message).toMatch(message);
        return;
      }
      throw new Error('expected a LabError');
    };
    bad(() => buildGradientModel(model, { target: { kind: 'logit', index: 0 }, wrt: ['nope'], shapes }), /Unknown tensor "nope"/);
    bad(() => buildGradientModel(model, { target: { kind: 'logit', index: 10 }, wrt: ['input'], shapes }), /Logit index 10 is out of range \(0…9\)/);
    bad(() => buildGradientModel(model, { target: { kind: 'unit', tensor: MIDDLE, unit: 32, reduce: 'sum' }, wrt: ['input'], shapes }), /Unit 32/);
    bad(() => buildGradientModel(model, { target: { kind: 'unit', tensor: 'missing', unit: 0, reduce: 'sum' }, wrt: ['input'], shapes }), /Unknown target tensor/);
    bad(
      () => buildGradientModel(model, { target: { kind: 'weighted', terms: [{ tensor: MIDDLE, weights: [1, 2], reduce: 'sum' }] }, wrt: ['input'], shapes }),
      /32 channels but 2 weights/,
    );
    bad(() => buildGradientModel(model, { target: { kind: 'logit', index: 0 }, wrt: ['input'] }), /static shape/);
  });
});

describe('ops without a rule', () => {
  const x = { name: 'x', dims: [1, 2, 3, 3], data: uniform(18, 9) };
  const c = {
    inputs: [x],
    nodes: [node('Relu', ['x'], ['r']), node('Elu', ['r'], ['e']), node('Sigmoid', ['x'], ['s']), node('Cos', ['x'], ['side'])],
    output: 'e',
  };

  it('on the path: LabError("unsupported-op") naming the op and the node', async () => {
    const model = modelOf(c, [], [], ['e', 's', 'side']);
    const shapes = await tensorShapes(runtime, model);
    expect(() => buildGradientModel(model, { target: { kind: 'unit', tensor: 'e', unit: 0, reduce: 'sum' }, wrt: ['x'], shapes })).toThrowError(
      expect.objectContaining({ code: 'unsupported-op', message: expect.stringMatching(/Elu \(node "Elu_e"\)/) }),
    );
    // Off the path (Cos feeds another output; Elu lies above the wrt layer) they do not matter.
    const fine = buildGradientModel(model, { target: { kind: 'unit', tensor: 's', unit: 1, reduce: 'mean' }, wrt: ['x'], shapes });
    expect(fine.differentiated).toBe(1);
    const above = buildGradientModel(model, { target: { kind: 'unit', tensor: 'r', unit: 1, reduce: 'mean' }, wrt: ['x'], shapes });
    expect(above.differentiated).toBe(1);
  });

  it('a custom-domain op on the path is unsupported too', async () => {
    const model = modelOf({ inputs: [x], nodes: [node('Relu', ['x'], ['y'])], output: 'y' });
    model.graph.node[0].domain = 'com.example';
    expect(() => buildGradientModel(model, { target: { kind: 'unit', tensor: 'y', unit: 0, reduce: 'sum' }, wrt: ['x'], shapes: { batch: 1, dims: { x: [1, 2, 3, 3], y: [1, 2, 3, 3] } } })).toThrowError(
      expect.objectContaining({ code: 'unsupported-op', message: expect.stringMatching(/com\.example\.Relu/) }),
    );
  });

  it('the rule table covers the ops of every fixture', () => {
    const ops = ['Add', 'AveragePool', 'BatchNormalization', 'Concat', 'Conv', 'Flatten', 'Gemm', 'GlobalAveragePool', 'HardSigmoid', 'HardSwish', 'Identity', 'MaxPool', 'Mul', 'Pad', 'Relu', 'Sigmoid'];
    for (const op of ops) expect(RULES[op], op).toBeDefined();
  });
});

describe('onnxruntime-web (WASM) runs the backward graphs', () => {
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.logLevel = 'error';

  async function compare(model: Model, feeds: Record<string, TensorF32>, outputs: string[]) {
    const bytes = encodeModel(model);
    const node = await run(model, feeds);
    const session = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
    try {
      const webFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ortWeb.Tensor('float32', t.data, t.dims)]));
      const web = await session.run(webFeeds);
      for (const o of outputs) expect(relError(node[o].data, web[o].data as Float32Array), o).toBeLessThan(1e-5);
    } finally {
      await session.release();
    }
  }

  it('every rule in one model (MaxPool by scatter and by unpool, strided and depthwise Conv, pools, SE, …)', async () => {
    const x = { name: 'x', dims: [2, 3, 12, 12], data: uniform(2 * 3 * 144, 91, -2, 4) };
    const W = (name: string, dims: number[], seed: number) => floatInit(name, dims, uniform(dims.reduce((p, d) => p * d, 1), seed, -0.4, 0.4));
    const c = {
      inputs: [x],
      nodes: [
        node('Conv', ['x', 'w1', 'b1'], ['c1'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }),
        node('BatchNormalization', ['c1', 'bs', 'bb', 'bm', 'bv'], ['bn']),
        node('Relu', ['bn'], ['r1']),
        node('MaxPool', ['r1'], ['mp'], { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] }),
        node('Conv', ['mp', 'wd'], ['dw'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: 4 }),
        node('HardSwish', ['dw'], ['hs']),
        node('GlobalAveragePool', ['hs'], ['gap']),
        node('HardSigmoid', ['gap'], ['gate'], { alpha: float(1 / 6), beta: float(0.5) }),
        node('Mul', ['hs', 'gate'], ['se']),
        node('Clip', ['se', 'lo', 'hi'], ['r6']),
        node('LeakyRelu', ['r6'], ['lr'], { alpha: float(0.1) }),
        node('Sigmoid', ['lr'], ['sg']),
        node('Mul', ['lr', 'sg'], ['silu']),
        node('Pad', ['silu', 'pads'], ['pd']),
        node('AveragePool', ['pd'], ['ap'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }),
        node('Concat', ['ap', 'ap'], ['cat'], { axis: 1 }),
        node('Sub', ['cat', 'cat2'], ['sub']),
        node('Tanh', ['sub'], ['th']),
        node('Flatten', ['th'], ['fl']),
        node('Gemm', ['fl', 'wf', 'bf'], ['lg'], { transB: 1 }),
        node('Softmax', ['lg'], ['y'], { axis: 1 }),
      ],
      initializers: [
        W('w1', [4, 3, 3, 3], 92), W('b1', [4], 93), W('wd', [4, 1, 3, 3], 94),
        floatInit('bs', [4], [1, 2, 0.5, 1]), floatInit('bb', [4], [0, 0.1, 0.2, 0.3]), floatInit('bm', [4], [0.1, 0, -0.1, 0]), floatInit('bv', [4], [1, 2, 3, 4]),
        floatInit('lo', [], [0]), floatInit('hi', [], [6]), int64Init('pads', [0, 0, 1, 1, 0, 0, 0, 1]),
        floatInit('cat2', [1, 8, 1, 1], [1, 2, 3, 4, 5, 6, 7, 8].map((v) => v / 10)),
        W('wf', [5, 8 * 3 * 4], 95), W('bf', [5], 96),
      ],
      output: 'y',
    };
    const model = modelOf(c);
    const shapes = await tensorShapes(runtime, model);
    for (const maxPool of ['scatter', 'unpool'] as const) {
      const built = buildGradientModel(model, { target: { kind: 'logit', index: 2 }, wrt: ['x', 'mp'], shapes, maxPool });
      const ops = new Set(built.model.graph.node.map((n) => n.opType));
      expect(ops.has(maxPool === 'scatter' ? 'ScatterElements' : 'MaxUnpool')).toBe(true);
      await compare(built.model, { x: { dims: x.dims, data: x.data } }, [built.outputs.grads.x, built.outputs.grads.mp, built.outputs.target]);
    }
  });

  it('mobilenet_v3_small (depthwise, SE, HardSwish) matches onnxruntime-node', async () => {
    const model = decodeModel(new Uint8Array(readFileSync(fixturePath('mobilenet_v3_small.onnx'))));
    const built = await gradientModel(runtime, model, { target: { kind: 'logit', index: 7 }, wrt: ['input'] });
    const dims = [1, 3, 224, 224];
    await compare(built.model, { input: { dims, data: uniform(3 * 224 * 224, 97) } }, [built.outputs.grads.input]);
  });
});
