/**
 * Ops that move values without arithmetic: reshapes (dX = Reshape(dY, Shape(X))), pass-throughs,
 * Transpose (inverse permutation), Concat/Split (each other's adjoint), Slice (zero Pad) and
 * constant Pad (Slice, or Pad for negative pads).
 */
import { attrs } from '../builder';
import { dy0, type Rule } from './rule';

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
    // training_mode is an attribute before opset 12 (always 0 in exports), an input since.
    const training = a.node.opType === 'Dropout' && a.node.input[2] ? a.b.constValue(a.node.input[2]) : [0];
    if (!training || training[0]) throw a.b.unsupported('training-mode Dropout');
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

/** Slice with unit steps: dX is dY zero-padded back to X's extent (static starts/ends). */
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
      axes = node.input[3] ? b.constValue(node.input[3]) : Array.from({ length: starts?.length ?? 0 }, (_, i) => i);
      if (node.input[4]) steps = b.constValue(node.input[4]);
    } else {
      const at = attrs(node);
      starts = at.ints('starts', null);
      ends = at.ints('ends', null);
      axes = at.ints('axes', null) ?? Array.from({ length: starts?.length ?? 0 }, (_, i) => i);
    }
    if (!starts || !ends || !axes) throw b.unsupported('starts/ends/axes computed at run time');
    if (steps && steps.some((s) => s !== 1)) throw b.unsupported('steps other than 1');
    const pads = Array(2 * rank).fill(0);
    axes.forEach((ax, i) => {
      const axis = ax < 0 ? ax + rank : ax;
      const n = xd[axis];
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
      const s = clamp(starts![i]);
      const e = Math.max(clamp(ends![i]), s);
      pads[axis] = s;
      pads[rank + axis] = n - e;
    });
    return [pad(b, dy0(a), pads)];
  },
};

/** Constant-mode Pad: dX = dY without the padding (Slice), negative pads padded back. */
export const Pad: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const at = attrs(node);
    const mode = at.str('mode', 'constant');
    if (mode !== 'constant') throw b.unsupported(`mode "${mode}"`);
    const raw = b.opset >= 11 ? b.constValue(node.input[1]) : at.ints('pads', null);
    if (!raw) throw b.unsupported('pads computed at run time');
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
    if (full.some((p) => p < 0)) g = pad(b, g, full.map((p) => Math.max(0, -p)));
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

function pad(b: Parameters<Rule['vjp']>[0]['b'], x: string, pads: number[]): string {
  if (pads.every((p) => p === 0)) return x;
  if (b.opset >= 11) return b.op('Pad', [x, b.constI64(pads)], { mode: 'constant' });
  return b.op('Pad', [x], { mode: 'constant', pads });
}
