/**
 * Finite-difference checks of backward rules on tiny models built in TypeScript.
 *
 * A case is a few forward nodes from graph inputs (batch axis dynamic) to an output Y. The
 * harness multiplies Y by a fixed random tensor R (so every element of Y matters differently)
 * and targets Σ_c w_c Σ_spatial (Y ⊙ R)[n, c] with random channel weights w — a 'weighted'
 * target on the Mul's output. The gradient model's d(target)/d(input) is compared with central
 * differences of the same target, computed in float64 from the float32 forward outputs of the
 * plain model run by onnxruntime-node, on a sample of coordinates of every batch image (a
 * backward pass that mixed images would fail). Error: max |g − fd| / max |fd| over the sample.
 */
import { buildGradientModel, tensorShapes } from '../../src/engine/onnx/backward';
import { makeNodeTyped, type AttrValue } from '../../src/engine/onnx/backward/builder';
import { floatValueInfo } from '../../src/engine/onnx/graph';
import { encodeModel, onnx, type Model, type Node, type Tensor } from '../../src/engine/onnx/model';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { TensorF32 } from '../../src/engine/types';
import { mulberry32 } from '../store/prng';

const runtime = nodeRuntime();

export interface FdInput {
  name: string;
  /** Dims of the values fed (batch included). */
  dims: number[];
  data: Float32Array;
  /** Declared dims; default: the batch axis symbolic, the rest fixed. */
  declared?: Array<number | string | null>;
  /** Differentiate w.r.t. this input (default true). */
  wrt?: boolean;
}

export interface FdCase {
  inputs: FdInput[];
  nodes: Node[];
  initializers?: Tensor[];
  /** The tensor the target reads (rank ≥ 2, channel axis 1). */
  output: string;
  opset?: number;
  maxPool?: 'auto' | 'scatter' | 'unpool';
  convAdjoint?: 'auto' | 'convtranspose';
  /** Step of the central differences (default 1e-2). */
  h?: number;
  /** Coordinates sampled per input (default 120). */
  samples?: number;
  seed?: number;
  /** 'mean' instead of 'sum' for the target's spatial reduction. */
  reduce?: 'sum' | 'mean';
}

export interface FdResult {
  /** Per wrt input: relative error of the sampled coordinates. */
  errors: Record<string, number>;
  /** Nodes the backward pass differentiated. */
  differentiated: number;
}

export const node = (op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}) =>
  makeNodeTyped(op, inputs, outputs, `${op}_${outputs[0]}`, attrs);

export function floatInit(name: string, dims: number[], data: ArrayLike<number>): Tensor {
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(data) }) as unknown as Tensor;
}

export function int64Init(name: string, values: number[], dims = [values.length]): Tensor {
  return onnx.TensorProto.create({ name, dims, dataType: onnx.TensorProto.DataType.INT64, int64Data: values }) as unknown as Tensor;
}

export function onnxBool(name: string, value: boolean): Tensor {
  return onnx.TensorProto.create({ name, dims: [], dataType: onnx.TensorProto.DataType.BOOL, int32Data: [value ? 1 : 0] }) as unknown as Tensor;
}

/** Values in ±[lo, lo + span): away from 0 (Relu's kink) by at least lo. */
export function awayFromZero(n: number, seed: number, lo = 0.1, span = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() < 0.5 ? -1 : 1) * (lo + span * r()));
}

/** Uniform values in [a, b). */
export function uniform(n: number, seed: number, a = -1, b = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => a + (b - a) * r());
}

/** A shuffled ladder of distinct values `step` apart (MaxPool: no near-ties). */
export function distinct(n: number, seed: number, step = 0.05): Float32Array {
  const r = mulberry32(seed);
  const v = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * step);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
}

export function modelOf(c: FdCase, extraNodes: Node[] = [], extraInits: Tensor[] = [], outputs: string[] = [c.output]): Model {
  const graph = onnx.GraphProto.create({
    name: 'fd',
    node: [...c.nodes, ...extraNodes],
    input: c.inputs.map((i) => floatValueInfo(i.name, i.declared ?? ['N', ...i.dims.slice(1)])),
    output: outputs.map((o) => floatValueInfo(o)),
    initializer: [...(c.initializers ?? []), ...extraInits],
  });
  return onnx.ModelProto.create({ irVersion: 8, graph, opsetImport: [{ domain: '', version: c.opset ?? 17 }] }) as unknown as Model;
}

export async function checkGradients(c: FdCase): Promise<FdResult> {
  const rand = mulberry32(c.seed ?? 7);
  const h = c.h ?? 1e-2;
  const feeds: Record<string, TensorF32> = Object.fromEntries(c.inputs.map((i) => [i.name, { dims: i.dims, data: i.data }]));

  // Shapes of the plain model, to size R and w.
  const plain = modelOf(c);
  const inputDims = Object.fromEntries(c.inputs.map((i) => [i.name, i.declared ? i.dims : [2, ...i.dims.slice(1)]]));
  const shapes0 = await tensorShapes(runtime, plain, { inputDims });
  const yDims = shapes0.dims[c.output];
  const rDims = [1, ...yDims.slice(1)];
  const R = Float32Array.from({ length: rDims.reduce((p, x) => p * x, 1) }, () => 0.5 + rand());
  const w = Array.from({ length: yDims[1] }, () => rand() * 2 - 1);
  const weighted = `${c.output}:weighted`;
  const withR = modelOf(c, [node('Mul', [c.output, 'fd_R'], [weighted])], [floatInit('fd_R', rDims, R)], [weighted]);

  const shapes = await tensorShapes(runtime, withR, { inputDims });
  const wrt = c.inputs.filter((i) => i.wrt !== false).map((i) => i.name);
  const reduce = c.reduce ?? 'sum';
  const built = buildGradientModel(withR, { target: { kind: 'weighted', terms: [{ tensor: weighted, weights: w, reduce }] }, wrt, shapes, maxPool: c.maxPool, convAdjoint: c.convAdjoint });
  const gradSession = await runtime.createSession(encodeModel(built.model));
  const fwdSession = await runtime.createSession(encodeModel(withR));
  try {
    const out = await gradSession.run(feeds);
    // The target the gradient model reports is the one differenced below.
    const target = (o: Float32Array, dims: number[]) => {
      const [n, ch] = dims;
      const per = o.length / (n * ch);
      let t = 0;
      for (let i = 0; i < o.length; i++) t += w[Math.floor(i / per) % ch] * o[i];
      return reduce === 'mean' ? t / per : t;
    };
    const f = async (fs: Record<string, TensorF32>) => {
      const y = (await fwdSession.run(fs))[weighted];
      return target(y.data, y.dims);
    };
    const t0 = out[built.outputs.target].data.reduce((a, b) => a + b, 0);
    const f0 = await f(feeds);
    if (Math.abs(t0 - f0) > 1e-4 * Math.max(1, Math.abs(f0))) throw new Error(`target value ${t0} differs from the forward's ${f0}`);

    const errors: Record<string, number> = {};
    for (const name of wrt) {
      const input = feeds[name];
      const g = out[built.outputs.grads[name]];
      if (g.dims.join() !== input.dims.join()) throw new Error(`gradient of ${name} has dims ${g.dims}, input ${input.dims}`);
      const n = input.data.length;
      const count = Math.min(n, c.samples ?? 120);
      const picks = count === n ? [...Array(n).keys()] : Array.from({ length: count }, () => Math.floor(rand() * n));
      let diff = 0;
      let scale = 0;
      for (const i of picks) {
        const data = Float32Array.from(input.data);
        data[i] = input.data[i] + h;
        const plus = await f({ ...feeds, [name]: { dims: input.dims, data } });
        data[i] = input.data[i] - h;
        const minus = await f({ ...feeds, [name]: { dims: input.dims, data } });
        // The actual float32 step, not h: x ± h is rounded.
        const fd = (plus - minus) / (Math.fround(input.data[i] + h) - Math.fround(input.data[i] - h));
        diff = Math.max(diff, Math.abs(fd - g.data[i]));
        scale = Math.max(scale, Math.abs(fd));
      }
      errors[name] = diff / (scale || 1);
    }
    return { errors, differentiated: built.differentiated };
  } finally {
    await gradSession.release();
    await fwdSession.release();
  }
}
