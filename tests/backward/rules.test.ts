/**
 * Every backward rule against central finite differences on a tiny model (./fd.ts), batch 2.
 * Inputs keep away from kinks (Relu's 0, Clip's bounds, MaxPool near-ties) by more than the step.
 */
import { describe, expect, it } from 'vitest';
import { float, type AttrValue } from '../../src/engine/onnx/backward/builder';
import { awayFromZero, checkGradients, distinct, floatInit, int64Init, node, onnxBool, uniform, type FdCase, type FdInput } from './fd';

/** Observed: ≤ 8e-5 (float32 central differences, h = 1e-2); a wrong rule is off by O(1). */
const TOL = 2e-3;
const N = 2;
const INT64_MAX = Number.MAX_SAFE_INTEGER; // Slice clamps it like INT64_MAX
const size = (d: number[]) => d.reduce((p, x) => p * x, 1);
const input = (name: string, dims: number[], fill: (n: number, seed: number) => Float32Array = uniform, seed = 1, extra: Partial<FdInput> = {}): FdInput => ({
  name,
  dims,
  data: fill(size(dims), seed),
  ...extra,
});

/** The attribute tables below are `as const` literals (readonly tuples). */
const attrsOf = (a: object) => a as unknown as Record<string, AttrValue>;

async function expectClose(c: FdCase, tol = TOL): Promise<void> {
  const { errors, differentiated } = await checkGradients(c);
  expect(differentiated).toBeGreaterThan(0);
  if (process.env.FD_LOG) console.log(`[fd] ${expect.getState().currentTestName}: ${Object.entries(errors).map(([k, e]) => `${k} ${e.toExponential(1)}`).join(", ")}`);
  for (const [name, err] of Object.entries(errors)) {
    expect(err, `d/d(${name})`).toBeLessThan(tol);
  }
}

/** Conv from x [N,C,H,W] with random weights [M, C/group, k…] and a bias. */
function convCase(C: number, M: number, H: number, W: number, attrs: Record<string, AttrValue>, k: number[], seed = 3): FdCase {
  const group = (attrs.group as number) ?? 1;
  const wDims = [M, C / group, ...k];
  return {
    inputs: [input('x', [N, C, H, W], uniform, seed)],
    nodes: [node('Conv', ['x', 'w', 'b'], ['y'], { kernel_shape: k, ...attrs })],
    initializers: [floatInit('w', wDims, uniform(size(wDims), seed + 1, -0.5, 0.5)), floatInit('b', [M], uniform(M, seed + 2))],
    output: 'y',
  };
}

describe.each(['auto', 'convtranspose'] as const)('Conv backward (%s: ConvTranspose, or Conv with the flipped kernel at stride 1)', (convAdjoint) => {
  it.each([
    ['3×3, stride 1, pads 1', 3, 4, 6, 6, { pads: [1, 1, 1, 1] }, [3, 3]],
    ['3×3, stride 2, pads 1, odd size (no output_padding)', 3, 4, 7, 7, { pads: [1, 1, 1, 1], strides: [2, 2] }, [3, 3]],
    ['3×3, stride 2, pads 1, even size (cropped end)', 3, 4, 8, 8, { pads: [1, 1, 1, 1], strides: [2, 2] }, [3, 3]],
    ['1×1, stride 2, no pads, even size (output_padding)', 4, 6, 8, 8, { strides: [2, 2] }, [1, 1]],
    ['7×7, stride 2, pads 3 (a ResNet stem)', 3, 2, 12, 12, { pads: [3, 3, 3, 3], strides: [2, 2] }, [7, 7]],
    ['groups 2, dilations 2, asymmetric pads and strides', 4, 6, 9, 8, { group: 2, dilations: [2, 2], pads: [1, 0, 2, 1], strides: [2, 1] }, [3, 3]],
    ['depthwise 3×3, stride 2', 5, 5, 9, 9, { group: 5, pads: [1, 1, 1, 1], strides: [2, 2] }, [3, 3]],
    ['depthwise 5×5, stride 2, pads 2 (EfficientNet)', 4, 4, 10, 10, { group: 4, pads: [2, 2, 2, 2], strides: [2, 2] }, [5, 5]],
    ['depthwise 3×3, stride 1', 4, 4, 6, 6, { group: 4, pads: [1, 1, 1, 1] }, [3, 3]],
    ['groups 3 (2 in, 2 out per group), stride 1, dilations [1, 2], asymmetric pads', 6, 6, 7, 8, { group: 3, dilations: [1, 2], pads: [0, 2, 2, 1] }, [3, 2]],
    ['pads larger than the kernel reach (ConvTranspose even at stride 1)', 2, 3, 5, 5, { pads: [2, 2, 2, 2] }, [2, 2]],
    ['auto_pad SAME_UPPER, stride 2', 3, 4, 7, 7, { auto_pad: 'SAME_UPPER', strides: [2, 2] }, [3, 3]],
    ['auto_pad VALID, stride 3', 3, 4, 10, 10, { auto_pad: 'VALID', strides: [3, 3] }, [2, 2]],
  ] as const)('%s', async (_name, C, M, H, W, attrs, k) => {
    await expectClose({ ...convCase(C, M, H, W, attrsOf(attrs), [...k]), convAdjoint });
  });
});

describe('activations', () => {
  const x = (fill = awayFromZero) => [input('x', [N, 3, 4, 4], fill, 11)];
  it('Relu', () => expectClose({ inputs: x(), nodes: [node('Relu', ['x'], ['y'])], output: 'y' }));
  it('LeakyRelu', () => expectClose({ inputs: x(), nodes: [node('LeakyRelu', ['x'], ['y'], { alpha: float(0.1) })], output: 'y' }));
  it('Clip as Relu6 (min/max inputs), values around both bounds', () =>
    expectClose({
      // Values in ±(0.1…7.1): some above 6, none within 0.1 of 0 or 6.
      inputs: [input('x', [N, 3, 4, 4], (n, s) => awayFromZero(n, s, 0.1, 7).map((v) => (Math.abs(Math.abs(v) - 6) < 0.1 ? v + 0.3 : v)), 11)],
      nodes: [node('Clip', ['x', 'lo', 'hi'], ['y'])],
      initializers: [floatInit('lo', [], [0]), floatInit('hi', [], [6])],
      output: 'y',
    }));
  it('Clip with attributes (opset 6)', () =>
    expectClose({
      inputs: [input('x', [N, 3, 4, 4], (n, s) => uniform(n, s, -2, 2).map((v) => (Math.abs(Math.abs(v) - 1) < 0.05 ? v * 1.2 : v)), 12)],
      nodes: [node('Clip', ['x'], ['y'], { min: float(-1), max: float(1) })],
      output: 'y',
      opset: 10,
    }));
  it('Sigmoid', () => expectClose({ inputs: x(uniform), nodes: [node('Sigmoid', ['x'], ['y'])], output: 'y' }));
  it('Tanh', () => expectClose({ inputs: x(uniform), nodes: [node('Tanh', ['x'], ['y'])], output: 'y' }));
  const wide = (n: number, s: number) => uniform(n, s, -5, 5).map((v) => (Math.abs(Math.abs(v) - 3) < 0.05 ? v * 1.1 : v));
  it('HardSigmoid (MobileNetV3: alpha 1/6, beta 1/2)', () =>
    expectClose({ inputs: [input('x', [N, 3, 4, 4], wide, 13)], nodes: [node('HardSigmoid', ['x'], ['y'], { alpha: float(1 / 6), beta: float(0.5) })], output: 'y' }));
  it('HardSigmoid (default alpha 0.2)', () =>
    expectClose({
      inputs: [input('x', [N, 3, 4, 4], (n, s) => uniform(n, s, -4, 4).map((v) => (Math.abs(Math.abs(v) - 2.5) < 0.05 ? v * 1.1 : v)), 14)],
      nodes: [node('HardSigmoid', ['x'], ['y'])],
      output: 'y',
    }));
  it('HardSwish', () => expectClose({ inputs: [input('x', [N, 3, 4, 4], wide, 15)], nodes: [node('HardSwish', ['x'], ['y'])], output: 'y' }));
  it('Softmax over channels of [N,C]', () =>
    expectClose({ inputs: [input('x', [N, 7], uniform, 16)], nodes: [node('Softmax', ['x'], ['y'], { axis: 1 })], output: 'y' }));
  it('Softmax over the last axis of [N,C,H,W]', () =>
    expectClose({ inputs: [input('x', [N, 3, 2, 5], uniform, 17)], nodes: [node('Softmax', ['x'], ['y'])], output: 'y' }));
  it('Softmax before opset 13 (flattens axis 1 onward)', () =>
    expectClose({ inputs: [input('x', [N, 3, 2, 2], uniform, 18)], nodes: [node('Softmax', ['x'], ['y'], { axis: 1 })], output: 'y', opset: 11 }));
});

describe('broadcasting arithmetic', () => {
  it('Mul as squeeze-excitation: [N,C,1,1] × [N,C,H,W], both operands', () =>
    expectClose({ inputs: [input('s', [N, 4, 1, 1], uniform, 21), input('x', [N, 4, 5, 5], uniform, 22)], nodes: [node('Mul', ['s', 'x'], ['y'])], output: 'y' }));
  it('Mul by a batch-shared [1,C,1,1] input and a lower-rank [C,1,1] input', () =>
    expectClose({
      inputs: [
        input('x', [N, 3, 4, 4], uniform, 23),
        input('a', [1, 3, 1, 1], uniform, 24, { declared: [1, 3, 1, 1] }),
        input('c', [3, 1, 1], uniform, 25, { declared: [3, 1, 1] }),
      ],
      nodes: [node('Mul', ['x', 'a'], ['t']), node('Mul', ['t', 'c'], ['y'])],
      output: 'y',
    }));
  it('Add and Sub with broadcasting', () =>
    expectClose({
      inputs: [input('x', [N, 3, 4, 4], uniform, 26), input('b', [N, 3, 1, 4], uniform, 27), input('c', [4], uniform, 28, { declared: [4] })],
      nodes: [node('Add', ['x', 'b'], ['t']), node('Sub', ['c', 't'], ['y'])],
      output: 'y',
    }));
  it('Div, both operands', () =>
    expectClose({
      inputs: [input('x', [N, 3, 4, 4], uniform, 29), input('d', [N, 3, 1, 1], (n, s) => uniform(n, s, 1, 2), 30)],
      nodes: [node('Div', ['x', 'd'], ['y'])],
      output: 'y',
    }));
  it('Sum (n-ary) and Neg', () =>
    expectClose({
      inputs: [input('a', [N, 2, 3, 3], uniform, 31), input('b', [N, 2, 1, 3], uniform, 32), input('c', [N, 2, 3, 3], uniform, 33)],
      nodes: [node('Sum', ['a', 'b', 'c'], ['t']), node('Neg', ['t'], ['y'])],
      output: 'y',
    }));
  it('the same tensor used twice (x·x): contributions are summed', () =>
    expectClose({ inputs: [input('x', [N, 3, 4, 4], uniform, 34)], nodes: [node('Mul', ['x', 'x'], ['y'])], output: 'y' }));
});

describe('pools', () => {
  const maxCases = [
    ['3×3/2, pads 1 (ResNet)', [N, 3, 8, 8], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['3×3/2, ceil_mode (SqueezeNet, GoogLeNet)', [N, 2, 8, 8], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }],
    ['3×3/1, pads 1 (GoogLeNet branch)', [N, 2, 5, 5], { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] }],
    ['2×2/2', [N, 3, 6, 6], { kernel_shape: [2, 2], strides: [2, 2] }],
    ['2×2/1, dilations 2', [N, 2, 7, 7], { kernel_shape: [2, 2], dilations: [2, 2] }],
  ] as const;
  for (const mode of ['scatter', 'unpool'] as const) {
    it.each(maxCases)(`MaxPool %s (${mode})`, (_n, dims, attrs) =>
      expectClose({
        inputs: [input('x', [...dims], distinct, 41)],
        nodes: [node('MaxPool', ['x'], ['y'], attrsOf(attrs))],
        output: 'y',
        maxPool: mode,
      }));
  }
  it('MaxPool in an opset-13 model (unpool chosen automatically)', () =>
    expectClose({
      inputs: [input('x', [N, 2, 7, 7], distinct, 42)],
      nodes: [node('MaxPool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })],
      output: 'y',
      opset: 13,
    }));
  it.each([
    ['2×2/2 (DenseNet transition)', [N, 3, 6, 6], { kernel_shape: [2, 2], strides: [2, 2] }],
    ['3×3/2, pads 1, count_include_pad 0', [N, 2, 7, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }],
    ['3×3/2, pads 1, count_include_pad 1', [N, 2, 7, 7], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }],
    ['3×3/2, ceil_mode, pads 1, count_include_pad 0', [N, 2, 8, 8], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }],
    ['3×3/2, ceil_mode, pads 1, count_include_pad 1', [N, 2, 8, 8], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }],
    ['3×2/1, asymmetric pads', [N, 2, 5, 6], { kernel_shape: [3, 2], pads: [0, 1, 2, 0] }],
  ] as const)('AveragePool %s', (_n, dims, attrs) =>
    expectClose({ inputs: [input('x', [...dims], uniform, 43)], nodes: [node('AveragePool', ['x'], ['y'], attrsOf(attrs))], output: 'y' }));
  it('GlobalAveragePool', () =>
    expectClose({ inputs: [input('x', [N, 3, 5, 4], uniform, 44)], nodes: [node('GlobalAveragePool', ['x'], ['y'])], output: 'y' }));
  it('GlobalAveragePool, then a mean target', () =>
    expectClose({ inputs: [input('x', [N, 3, 5, 4], uniform, 45)], nodes: [node('GlobalAveragePool', ['x'], ['y'])], output: 'y', reduce: 'mean' }));
});

describe('normalization and linear layers', () => {
  it('BatchNormalization (inference)', () =>
    expectClose({
      inputs: [input('x', [N, 3, 4, 4], uniform, 51)],
      nodes: [node('BatchNormalization', ['x', 'sc', 'bi', 'mu', 'var'], ['y'], { epsilon: float(1e-3) })],
      initializers: [floatInit('sc', [3], [0.5, -1.5, 2]), floatInit('bi', [3], [0.1, 0.2, 0.3]), floatInit('mu', [3], [0.3, -0.2, 0]), floatInit('var', [3], [0.5, 2, 0.1])],
      output: 'y',
    }));
  it('Gemm, transB = 1, alpha and beta, with bias (a Linear layer)', () =>
    expectClose({
      inputs: [input('x', [N, 6], uniform, 52)],
      nodes: [node('Gemm', ['x', 'w', 'c'], ['y'], { transB: 1, alpha: float(0.5), beta: float(2) })],
      initializers: [floatInit('w', [4, 6], uniform(24, 53)), floatInit('c', [4], uniform(4, 54))],
      output: 'y',
    }));
  it('Gemm, transA = 1, w.r.t. A, B and C', () =>
    expectClose({
      inputs: [input('a', [5, 3], uniform, 55, { declared: [5, 3] }), input('b', [5, 4], uniform, 56, { declared: [5, 4] }), input('c', [1, 4], uniform, 57, { declared: [1, 4] })],
      nodes: [node('Gemm', ['a', 'b', 'c'], ['y'], { transA: 1, alpha: float(1.5) })],
      output: 'y',
    }));
  it('Gemm, transA = 1 and transB = 1, w.r.t. A and B', () =>
    expectClose({
      inputs: [input('a', [5, 3], uniform, 58, { declared: [5, 3] }), input('b', [4, 5], uniform, 59, { declared: [4, 5] })],
      nodes: [node('Gemm', ['a', 'b'], ['y'], { transA: 1, transB: 1 })],
      output: 'y',
    }));
  it('MatMul [N,K,M] × [M,P] (both operands)', () =>
    expectClose({
      inputs: [input('a', [N, 3, 4], uniform, 60), input('b', [4, 5], uniform, 61, { declared: [4, 5] })],
      nodes: [node('MatMul', ['a', 'b'], ['y'])],
      output: 'y',
    }));
  it('MatMul batched with broadcasting [N,2,3,4] × [1,4,5]', () =>
    expectClose({
      inputs: [input('a', [N, 2, 3, 4], uniform, 62), input('b', [1, 4, 5], uniform, 63, { declared: [1, 4, 5] })],
      nodes: [node('MatMul', ['a', 'b'], ['y'])],
      output: 'y',
    }));
});

describe('data movement', () => {
  it('Flatten and Reshape', () =>
    expectClose({
      inputs: [input('x', [N, 2, 3, 4], uniform, 71)],
      nodes: [node('Flatten', ['x'], ['f'], { axis: 1 }), node('Reshape', ['f', 'shape'], ['y'])],
      initializers: [int64Init('shape', [0, 6, 4])],
      output: 'y',
    }));
  it('Squeeze and Unsqueeze (axes inputs), Identity, Dropout', () =>
    expectClose({
      inputs: [input('x', [N, 3, 1, 4], uniform, 72)],
      nodes: [
        node('Squeeze', ['x', 'ax2'], ['s']),
        node('Unsqueeze', ['s', 'ax3'], ['u']),
        node('Identity', ['u'], ['i']),
        node('Dropout', ['i'], ['y']),
      ],
      initializers: [int64Init('ax2', [2]), int64Init('ax3', [3])],
      output: 'y',
    }));
  it('Transpose', () =>
    expectClose({ inputs: [input('x', [N, 2, 3, 4], uniform, 73)], nodes: [node('Transpose', ['x'], ['y'], { perm: [0, 3, 1, 2] })], output: 'y' }));
  it('Concat on channels, three inputs (one not differentiated)', () =>
    expectClose({
      inputs: [input('a', [N, 2, 3, 3], uniform, 74), input('b', [N, 3, 3, 3], uniform, 75, { wrt: false }), input('c', [N, 1, 3, 3], uniform, 76)],
      nodes: [node('Concat', ['a', 'b', 'c'], ['y'], { axis: 1 })],
      output: 'y',
    }));
  it('Split, with one output unused', () =>
    expectClose({
      inputs: [input('x', [N, 5, 2, 2], uniform, 77)],
      nodes: [node('Split', ['x', 'parts'], ['p', 'q', 'r'], { axis: 1 }), node('Add', ['p', 'r'], ['y'])],
      initializers: [int64Init('parts', [2, 1, 2])],
      output: 'y',
    }));
  it('Slice (negative end, axes)', () =>
    expectClose({
      inputs: [input('x', [N, 4, 5, 6], uniform, 78)],
      nodes: [node('Slice', ['x', 'st', 'en', 'ax'], ['y'])],
      initializers: [int64Init('st', [1, 1]), int64Init('en', [3, -1]), int64Init('ax', [1, 3])],
      output: 'y',
    }));
  it('Pad (constant), positive and negative pads', () =>
    expectClose({
      inputs: [input('x', [N, 2, 4, 5], uniform, 79)],
      nodes: [node('Pad', ['x', 'pads'], ['y'], { mode: 'constant' })],
      initializers: [int64Init('pads', [0, 0, 1, -1, 0, 0, 2, 1])],
      output: 'y',
    }));
});

describe('reductions', () => {
  const x = (dims: number[], seed: number, fill = uniform) => [input('x', dims, fill, seed)];
  it('ReduceMean over H and W, keepdims 0 (ShuffleNetV2, MNASNet global pooling; axes attribute)', () =>
    expectClose({ inputs: x([N, 3, 4, 5], 101), nodes: [node('ReduceMean', ['x'], ['y'], { axes: [2, 3], keepdims: 0 })], output: 'y' }));
  it('ReduceMean, axes as an input (opset 18), keepdims 1', () =>
    expectClose({
      inputs: x([N, 3, 4, 5], 102),
      nodes: [node('ReduceMean', ['x', 'ax'], ['y'])],
      initializers: [int64Init('ax', [-1])],
      output: 'y',
      opset: 18,
    }));
  it('ReduceMean over every axis, batch included (keepdims 1)', () =>
    expectClose({ inputs: x([N, 2, 3, 3], 103), nodes: [node('ReduceMean', ['x'], ['y'])], output: 'y' }));
  it('ReduceMean with empty axes and noop_with_empty_axes (opset 18): an identity', () =>
    expectClose({ inputs: x([N, 2, 3, 3], 104), nodes: [node('ReduceMean', ['x'], ['y'], { noop_with_empty_axes: 1 })], output: 'y', opset: 18 }));
  it('ReduceSum, axes input (opset 13), keepdims 0, negative axis', () =>
    expectClose({
      inputs: x([N, 3, 4, 5], 105),
      nodes: [node('ReduceSum', ['x', 'ax'], ['y'], { keepdims: 0 })],
      initializers: [int64Init('ax', [-2])],
      output: 'y',
    }));
  it('ReduceSum with an axes attribute (opset 11)', () =>
    expectClose({ inputs: x([N, 3, 4, 5], 106), nodes: [node('ReduceSum', ['x'], ['y'], { axes: [1, 3] })], output: 'y', opset: 11 }));
  it('ReduceMax over channels, keepdims 0 (distinct values: no ties)', () =>
    expectClose({ inputs: x([N, 4, 3, 3], 107, distinct), nodes: [node('ReduceMax', ['x'], ['y'], { axes: [1], keepdims: 0 })], output: 'y' }));
  it('ReduceMin over the last axis, axes input (opset 18)', () =>
    expectClose({
      inputs: x([N, 3, 2, 5], 108, distinct),
      nodes: [node('ReduceMin', ['x', 'ax'], ['y'])],
      initializers: [int64Init('ax', [3])],
      output: 'y',
      opset: 18,
    }));
});

describe('transformer ops', () => {
  const T = 5;
  const C = 6;
  it('LayerNormalization over the last axis of [N,T,C], with scale and bias (ViT, ConvNeXt after a permute)', () =>
    expectClose({
      inputs: [input('x', [N, T, C], uniform, 111)],
      nodes: [node('LayerNormalization', ['x', 'g', 'bt'], ['y'], { axis: -1, epsilon: float(1e-6) })],
      initializers: [floatInit('g', [C], uniform(C, 112, 0.5, 1.5)), floatInit('bt', [C], uniform(C, 113))],
      output: 'y',
    }));
  it('LayerNormalization over the last two axes of [N,C,H,W], no bias', () =>
    expectClose({
      inputs: [input('x', [N, 3, 4, 5], uniform, 114)],
      nodes: [node('LayerNormalization', ['x', 'g'], ['y'], { axis: 2 })],
      initializers: [floatInit('g', [4, 5], uniform(20, 115, -1.5, 1.5))],
      output: 'y',
    }));
  it('Erf', () => expectClose({ inputs: [input('x', [N, T, C], (n, s) => uniform(n, s, -2, 2), 116)], nodes: [node('Erf', ['x'], ['y'])], output: 'y' }));
  it('GELU as exported before opset 20: x·(1 + erf(x/√2))/2', () =>
    expectClose({
      inputs: [input('x', [N, T, C], (n, s) => uniform(n, s, -3, 3), 117)],
      nodes: [
        node('Div', ['x', 'sqrt2'], ['d']),
        node('Erf', ['d'], ['e']),
        node('Add', ['e', 'one'], ['p']),
        node('Mul', ['x', 'p'], ['m']),
        node('Mul', ['m', 'half'], ['y']),
      ],
      initializers: [floatInit('sqrt2', [], [Math.SQRT2]), floatInit('one', [], [1]), floatInit('half', [], [0.5])],
      output: 'y',
    }));
  it.each(['none', 'tanh'])('Gelu (opset 20), approximate %s', (approximate) =>
    expectClose({
      inputs: [input('x', [N, T, C], (n, s) => uniform(n, s, -3, 3), 118)],
      nodes: [node('Gelu', ['x'], ['y'], { approximate })],
      output: 'y',
      opset: 20,
    }));
  it('Softmax over the last axis of [N,heads,T,T] (attention)', () =>
    expectClose({ inputs: [input('x', [N, 2, T, T], (n, s) => uniform(n, s, -2, 2), 119)], nodes: [node('Softmax', ['x'], ['y'], { axis: -1 })], output: 'y' }));
  it('MatMul of rank-4 batched operands, both differentiated (q·kᵀ)', () =>
    expectClose({
      inputs: [input('q', [N, 2, T, 3], uniform, 120), input('k', [N, 2, 3, T], uniform, 121)],
      nodes: [node('MatMul', ['q', 'k'], ['y'])],
      output: 'y',
    }));
  it('MatMul [N,T,C] × [C,D] weights (a Linear on tokens)', () =>
    expectClose({
      inputs: [input('x', [N, T, C], uniform, 122)],
      nodes: [node('MatMul', ['x', 'w'], ['y'])],
      initializers: [floatInit('w', [C, 4], uniform(C * 4, 123))],
      output: 'y',
    }));
  it('Mul by a [C] layer scale and Add of a [1,T,C] position embedding, rank 3', () =>
    expectClose({
      inputs: [input('x', [N, T, C], uniform, 124), input('pos', [1, T, C], uniform, 125, { declared: [1, T, C] }), input('s', [C], uniform, 126, { declared: [C] })],
      nodes: [node('Add', ['x', 'pos'], ['t']), node('Mul', ['t', 's'], ['y'])],
      output: 'y',
    }));
  it('Einsum "bghid,bghjd->bghij" and "bghij,bghjd->bghid" (MaxViT attention), every operand', () =>
    expectClose({
      inputs: [input('q', [N, 2, 2, 3, 4], uniform, 127), input('k', [N, 2, 2, 3, 4], uniform, 128), input('v', [N, 2, 2, 3, 4], uniform, 129)],
      nodes: [
        node('Einsum', ['q', 'k'], ['a'], { equation: 'bghid,bghjd->bghij' }),
        node('Einsum', ['a', 'v'], ['y'], { equation: 'bghij,bghjd->bghid' }),
      ],
      output: 'y',
    }));
  it('Einsum with an implicit output ("nij,jk")', () =>
    expectClose({
      inputs: [input('a', [N, 3, 4], uniform, 130), input('b', [4, 5], uniform, 131, { declared: [4, 5] })],
      nodes: [node('Einsum', ['a', 'b'], ['y'], { equation: 'nij,jk' })],
      output: 'y',
    }));
});

describe('indexing and broadcasting', () => {
  const T = 5;
  const C = 4;
  it('Gather of one token with a scalar index (the class token x[:, 0])', () =>
    expectClose({
      inputs: [input('x', [N, T, C], uniform, 141)],
      nodes: [node('Gather', ['x', 'i'], ['g'], { axis: 1 }), node('Unsqueeze', ['g', 'ax'], ['y'])],
      initializers: [int64Init('i', [0], []), int64Init('ax', [2])],
      output: 'y',
    }));
  it('Gather with 1-D indices: repeats and a negative index, on the last axis', () =>
    expectClose({
      inputs: [input('x', [N, 3, T], uniform, 142)],
      nodes: [node('Gather', ['x', 'i'], ['y'], { axis: 2 })],
      initializers: [int64Init('i', [4, 0, -1, 2, 0])],
      output: 'y',
    }));
  it('Gather with 2-D indices on a middle axis', () =>
    expectClose({
      inputs: [input('x', [N, T, 3], uniform, 143)],
      nodes: [node('Gather', ['x', 'i'], ['y'], { axis: 1 })],
      initializers: [int64Init('i', [1, 3, 3, 0, 4, 2], [2, 3])],
      output: 'y',
    }));
  it('Expand of a [N,1,C] tensor over tokens, and of a [1,1,C] class token per image (shape from Shape)', () =>
    expectClose({
      inputs: [input('x', [N, 1, C], uniform, 144), input('cls', [1, 1, C], uniform, 145, { declared: [1, 1, C] }), input('z', [N, T, C], uniform, 146)],
      nodes: [
        node('Expand', ['x', 'tc'], ['e']),
        node('Shape', ['z'], ['zs']),
        node('Slice', ['zs', 'zero', 'one', 'zero'], ['n']),
        node('Concat', ['n', 'onec'], ['clsShape'], { axis: 0 }),
        node('Expand', ['cls', 'clsShape'], ['c']),
        node('Concat', ['c', 'e'], ['y'], { axis: 1 }),
      ],
      initializers: [int64Init('tc', [1, T, C]), int64Init('zero', [0]), int64Init('one', [1]), int64Init('onec', [1, C])],
      output: 'y',
    }));
  it('Where with a constant mask, both branches broadcast', () =>
    expectClose({
      inputs: [input('a', [N, 3, C], uniform, 147), input('b', [1, C], uniform, 148, { declared: [1, C] })],
      nodes: [node('Greater', ['m', 'half'], ['cond']), node('Where', ['cond', 'a', 'b'], ['y'])],
      initializers: [floatInit('m', [3, C], uniform(3 * C, 149, 0, 1)), floatInit('half', [], [0.5])],
      output: 'y',
    }));
  it('Cast float → double → float, and a cast to int64 (no gradient through it)', () =>
    expectClose({
      inputs: [input('x', [N, 3, C], uniform, 150)],
      nodes: [
        node('Cast', ['x'], ['d'], { to: 11 }),
        node('Cast', ['d'], ['f'], { to: 1 }),
        node('Cast', ['x'], ['i'], { to: 7 }),
        node('Cast', ['i'], ['k'], { to: 1 }),
        node('Add', ['f', 'k'], ['y']),
      ],
      output: 'y',
    }));
  it('Dropout in training mode with ratio 0 (Swin attention): an identity', () =>
    expectClose({
      inputs: [input('x', [N, 3, C], uniform, 151)],
      nodes: [node('Dropout', ['x', 'r', 't'], ['y'])],
      initializers: [floatInit('r', [], [0]), onnxBool('t', true)],
      output: 'y',
    }));
});

describe('slicing and padding computed at run time', () => {
  it('Slice with step 2 on two axes (Swin patch merging x[:, 0::2, 1::2])', () =>
    expectClose({
      inputs: [input('x', [N, 5, 6, 3], uniform, 161)],
      nodes: [node('Slice', ['x', 'st', 'en', 'ax', 'sp'], ['y'])],
      initializers: [int64Init('st', [0, 1]), int64Init('en', [INT64_MAX, INT64_MAX]), int64Init('ax', [1, 2]), int64Init('sp', [2, 2])],
      output: 'y',
    }));
  it('Slice with a negative step (a flip) and a clamped end', () =>
    expectClose({
      inputs: [input('x', [N, 3, 6], uniform, 162)],
      nodes: [node('Slice', ['x', 'st', 'en', 'ax', 'sp'], ['y'])],
      initializers: [int64Init('st', [-2]), int64Init('en', [-INT64_MAX]), int64Init('ax', [2]), int64Init('sp', [-1])],
      output: 'y',
    }));
  it("Slice with starts/ends computed from Shape (ShuffleNetV2's channel split with a dynamic batch)", () =>
    expectClose({
      inputs: [input('x', [N, 6, 3, 3], uniform, 163)],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'one'], ['c']),
        node('Div', ['c', 'two'], ['half']),
        node('Slice', ['x', 'half', 'big', 'one'], ['hi']),
        node('Slice', ['x', 'zero', 'half', 'one'], ['lo']),
        node('Mul', ['hi', 'lo'], ['y']),
      ],
      initializers: [int64Init('one', [1]), int64Init('two', [2]), int64Init('zero', [0]), int64Init('big', [INT64_MAX])],
      output: 'y',
    }));
  it("Pad with pads computed from Shape (Swin's padding to a multiple of the window)", () =>
    expectClose({
      inputs: [input('x', [N, 5, 3, 2], uniform, 164)],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'one'], ['h']),
        node('Mod', ['h', 'four'], ['r']),
        node('Sub', ['four', 'r'], ['p']),
        // begins [0, p, 0, 0], ends [0, 0, 1, −1]: a crop on the last axis too
        node('Concat', ['z1', 'p', 'mid', 'tail'], ['pads'], { axis: 0 }),
        node('Pad', ['x', 'pads'], ['y'], { mode: 'constant' }),
      ],
      initializers: [int64Init('one', [1]), int64Init('four', [4]), int64Init('z1', [0]), int64Init('mid', [0, 0, 0, 0]), int64Init('tail', [1, -1])],
      output: 'y',
    }));
});

describe('composites', () => {
  it('Conv → Relu → MaxPool → Conv, with a residual Add', () =>
    expectClose({
      inputs: [input('x', [N, 2, 8, 8], uniform, 81)],
      nodes: [
        node('Conv', ['x', 'w1'], ['c1'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
        node('Relu', ['c1'], ['r1']),
        node('MaxPool', ['r1'], ['m'], { kernel_shape: [2, 2], strides: [2, 2] }),
        node('Conv', ['m', 'w2'], ['c2'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
        node('Add', ['c2', 'm'], ['y']),
      ],
      initializers: [floatInit('w1', [3, 2, 3, 3], uniform(54, 82)), floatInit('w2', [3, 3, 3, 3], uniform(81, 83, -0.3, 0.3))],
      output: 'y',
      // Relu and MaxPool kinks can sit anywhere inside a composite: a smaller step keeps clear of them.
      h: 1e-3,
    }, 1e-2));
});
