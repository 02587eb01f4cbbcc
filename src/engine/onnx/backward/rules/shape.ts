/**
 * Ops that move values without arithmetic: reshapes (dX = Reshape(dY, Shape(X))), pass-throughs,
 * Transpose (inverse permutation), Concat/Split (each other's adjoint), Slice (zero Pad, or a
 * scatter for steps other than 1), constant Pad (Slice, or Pad for negative pads), Expand (a sum
 * over the broadcast axes) and Cast between float types.
 *
 * Slice and Pad whose starts/ends/pads are computed at run time (ShuffleNetV2's channel split,
 * Swin's padding to a multiple of the window, exported with a dynamic batch) get their adjoint's
 * pads computed in the graph too.
 */
import { attrs } from '../builder';
import { onnx } from '../../model';
import { scatterAlong } from './gather';
import { dy0, type Rule, type VjpArgs } from './rule';

const INT64_MAX = 9007199254740991;

/** Flatten, Reshape, Squeeze, Unsqueeze: only the data input (axes/shape inputs are constants). */
export const Reshape: Rule = {
  inputs: [0],
  vjp: (a) => [a.b.reshapeLike(dy0(a), a.node.input[0])],
};

/** Identity, and Dropout at inference (its mask output gets no gradient). */
export const Identity: Rule = {
  inputs: [0],
  vjp: (a) => {
    // training_mode is an attribute before opset 12 (always 0 in exports), an input since. With
    // ratio 0 training mode is an identity too (Swin's F.dropout(attn, p=0.0) exports so).
    const { b, node } = a;
    const training = node.opType === 'Dropout' && node.input[2] ? b.constValue(node.input[2]) : [0];
    const ratio = node.opType === 'Dropout' && node.input[1] ? b.constValue(node.input[1]) : null;
    if (!training || (training[0] && ratio?.[0] !== 0)) throw b.unsupported('training-mode Dropout');
    return [dy0(a)];
  },
};

export const Transpose: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const rank = b.requireDims(node.input[0]).length;
    const perm = attrs(node).ints('perm', null) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = Array<number>(rank);
    perm.forEach((p, i) => (inverse[p] = i));
    return [b.op('Transpose', [dy0(a)], { perm: inverse })];
  },
};

export const Concat: Rule = {
  inputs: 'all',
  vjp: (a) => {
    const { b, node, needs } = a;
    const dy = dy0(a);
    const rank = b.requireDims(node.output[0]).length;
    let axis = attrs(node).int('axis', 0);
    if (axis < 0) axis += rank;
    let offset = 0;
    return node.input.map((x, i) => {
      const len = b.requireDims(x)[axis];
      const start = offset;
      offset += len;
      return needs[i] ? b.slice(dy, [start], [start + len], [axis]) : null;
    });
  },
};

export const Split: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node, dY } = a;
    const rank = b.requireDims(node.input[0]).length;
    let axis = attrs(node).int('axis', 0);
    if (axis < 0) axis += rank;
    const parts = node.output.map((y, i) => dY[i] ?? b.zerosLike(y));
    return [b.op('Concat', parts, { axis })];
  },
};

/**
 * Slice: dX is dY put back at the positions it was taken from — a zero Pad along unit-step axes,
 * scatterAlong for other steps (Swin's x[:, 0::2]; negative steps too). Starts and ends computed
 * at run time are handled for unit steps (dynamicSlice).
 */
export const Slice: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const X = node.input[0];
    const xd = b.requireDims(X);
    const rank = xd.length;
    let starts: number[] | null;
    let ends: number[] | null;
    let axes: number[] | null;
    let steps: number[] | null = null;
    if (b.opset >= 10) {
      starts = b.constValue(node.input[1]);
      ends = b.constValue(node.input[2]);
      const count = starts?.length ?? b.dims(node.input[1])?.[0] ?? 0;
      axes = node.input[3] ? b.constValue(node.input[3]) : Array.from({ length: count }, (_, i) => i);
      if (node.input[4]) steps = b.constValue(node.input[4]);
      if (node.input[4] && !steps) throw b.unsupported('steps computed at run time');
    } else {
      const at = attrs(node);
      starts = at.ints('starts', null);
      ends = at.ints('ends', null);
      axes = at.ints('axes', null) ?? Array.from({ length: starts?.length ?? 0 }, (_, i) => i);
    }
    if (!axes) throw b.unsupported('axes computed at run time');
    const norm = axes.map((ax) => (ax < 0 ? ax + rank : ax));
    if (!starts || !ends) {
      if (steps?.some((s) => s !== 1)) throw b.unsupported('starts/ends computed at run time with steps other than 1');
      return [dynamicSlice(a, norm)];
    }
    let g = dy0(a);
    norm.forEach((axis, i) => {
      g = scatterAlong(b, g, rank, axis, sliceIndices(xd[axis], starts![i], ends![i], steps?.[i] ?? 1), xd[axis]);
    });
    return [g];
  },
};

/** The positions a Slice takes along one axis of length n (ONNX clamping rules). */
export function sliceIndices(n: number, start: number, end: number, step: number): number[] {
  if (step === 0) throw new Error('Slice step 0');
  const fix = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  const s = step > 0 ? fix(start, 0, n) : fix(start, 0, n - 1);
  const e = step > 0 ? fix(end, 0, n) : fix(end, -1, n - 1);
  const out: number[] = [];
  for (let i = s; step > 0 ? i < e : i > e; i += step) out.push(i);
  return out;
}

/**
 * Unit-step Slice with starts/ends known only at run time: the adjoint's pads are computed in
 * the graph (clamped as Slice clamps them) and scattered into a [2·rank] pads vector.
 */
function dynamicSlice(a: VjpArgs, axes: number[]): string {
  const { b, node } = a;
  if (b.opset < 12) throw b.unsupported(`its backward needs Max/Min on int64 (opset 12); the model has opset ${b.opset}`);
  const X = node.input[0];
  const rank = b.requireDims(X).length;
  const i64 = (t: string) => b.op('Cast', [t], { to: onnx.TensorProto.DataType.INT64 });
  const zero = b.constI64([0]);
  const size = b.op('Gather', [b.shapeOf(X), b.constI64(axes)], { axis: 0 });
  const clamp = (t: string) => {
    const v = i64(t);
    const wrapped = b.op('Where', [b.op('Less', [v, zero]), b.op('Add', [v, size]), v]);
    return b.op('Min', [b.op('Max', [wrapped, zero]), size]);
  };
  const start = clamp(node.input[1]);
  const end = b.op('Max', [clamp(node.input[2]), start]);
  const where = b.constI64([...axes, ...axes.map((ax) => ax + rank)]);
  const values = b.op('Concat', [start, b.op('Sub', [size, end])], { axis: 0 });
  const pads = b.op('ScatterElements', [b.constI64(Array(2 * rank).fill(0)), where, values], { axis: 0 });
  return b.op('Pad', [dy0(a), pads], { mode: 'constant' });
}

/**
 * Constant-mode Pad: dX = dY without the padding (Slice), negative pads padded back. Pads
 * computed at run time: a Pad by the negated pads (cropping what was added).
 */
export const Pad: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const at = attrs(node);
    const mode = at.str('mode', 'constant');
    if (mode !== 'constant') throw b.unsupported(`mode "${mode}"`);
    const raw = b.opset >= 11 ? b.constValue(node.input[1]) : at.ints('pads', null);
    if (!raw) {
      if (b.opset < 11) throw b.unsupported('pads computed at run time');
      const inputs = [dy0(a), b.op('Neg', [node.input[1]])];
      if (b.opset >= 18 && node.input[3]) inputs.push('', node.input[3]);
      return [b.op('Pad', inputs, { mode: 'constant' })];
    }
    let rank = raw.length / 2;
    let axes = Array.from({ length: rank }, (_, i) => i);
    if (b.opset >= 18 && node.input[3]) {
      const given = b.constValue(node.input[3]);
      if (!given) throw b.unsupported('axes computed at run time');
      rank = b.requireDims(node.input[0]).length;
      axes = given.map((x) => (x < 0 ? x + rank : x));
    }
    const n = axes.length;
    const full = Array(2 * rank).fill(0);
    axes.forEach((ax, i) => {
      full[ax] = raw[i];
      full[rank + ax] = raw[n + i];
    });
    let g = dy0(a);
    // Forward cropping (negative pads) is undone with zeros, forward padding is sliced away.
    if (full.some((p) => p < 0)) g = b.pad(g, full.map((p) => Math.max(0, -p)));
    const sliceAxes: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    for (let ax = 0; ax < rank; ax++) {
      const pb = Math.max(0, full[ax]);
      const pe = Math.max(0, full[rank + ax]);
      if (pb === 0 && pe === 0) continue;
      sliceAxes.push(ax);
      starts.push(pb);
      ends.push(pe > 0 ? -pe : INT64_MAX);
    }
    return [sliceAxes.length ? b.slice(g, starts, ends, sliceAxes) : g];
  },
};

/** Expand: the gradient summed over the axes broadcast (ViT's class token, expanded per image). */
export const Expand: Rule = {
  inputs: [0],
  vjp: (a) => [a.b.reduceTo(dy0(a), a.node.input[0], a.node.output[0])],
};

const FLOATS = new Set([onnx.TensorProto.DataType.FLOAT, onnx.TensorProto.DataType.FLOAT16, onnx.TensorProto.DataType.DOUBLE, onnx.TensorProto.DataType.BFLOAT16]);

/**
 * Cast: between float types the gradient is cast back (the graphs here are float32, so to float);
 * a cast to an integer or bool type has zero derivative (as in PyTorch).
 */
export const Cast: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const to = attrs(node).int('to', onnx.TensorProto.DataType.FLOAT);
    if (!FLOATS.has(to)) return [b.zerosLike(node.input[0])];
    return [to === onnx.TensorProto.DataType.FLOAT ? dy0(a) : b.op('Cast', [dy0(a)], { to: onnx.TensorProto.DataType.FLOAT })];
  },
};
