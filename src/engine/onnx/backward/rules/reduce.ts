/**
 * Reductions (global pooling as ShuffleNetV2 and MNASNet export it: ReduceMean over H and W).
 * The output gradient is first given back the reduced axes (Unsqueeze when keepdims = 0), then:
 * - ReduceSum: broadcast over them (Expand to Shape(X));
 * - ReduceMean: the same, divided by the number of elements reduced;
 * - ReduceMax/ReduceMin: to the elements equal to the result, shared evenly among ties (as
 *   PyTorch's amax/amin do).
 * Axes are an attribute before opset 18 (13 for ReduceSum), an input since.
 */
import { attrs, type Builder } from '../builder';
import type { Node } from '../../model';
import { dy0, type Rule, type VjpArgs } from './rule';

/** The reduced axes, sorted and non-negative; null when the op reduces nothing (an identity). */
function reducedAxes(b: Builder, node: Node, rank: number): number[] | null {
  const at = attrs(node);
  const asInput = b.opset >= (node.opType === 'ReduceSum' ? 13 : 18);
  let axes: number[] | null;
  if (asInput) {
    axes = node.input[1] ? b.constValue(node.input[1]) : [];
    if (!axes) throw b.unsupported('axes computed at run time');
  } else {
    axes = at.ints('axes', []) ?? [];
  }
  if (axes.length === 0) {
    if (asInput && at.int('noop_with_empty_axes', 0) === 1) return null;
    return Array.from({ length: rank }, (_, i) => i);
  }
  return [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
}

interface Reduced {
  X: string;
  xd: number[];
  axes: number[];
  /** The output gradient with the reduced axes kept (size 1). */
  g: string;
  /** The forward output with the reduced axes kept. */
  Yk: string;
}

/** The shared first half of every reduction's VJP; null when the op is an identity. */
function keepDims(a: VjpArgs): Reduced | null {
  const { b, node } = a;
  const X = node.input[0];
  const xd = b.requireDims(X);
  const axes = reducedAxes(b, node, xd.length);
  if (!axes) return null;
  const kept = attrs(node).int('keepdims', 1) === 1;
  const dy = dy0(a);
  const Y = node.output[0];
  return { X, xd, axes, g: kept ? dy : b.unsqueeze(dy, axes), Yk: kept ? Y : b.unsqueeze(Y, axes) };
}

export const ReduceSum: Rule = {
  inputs: [0],
  vjp: (a) => {
    const r = keepDims(a);
    if (!r) return [dy0(a)];
    return [a.b.op('Expand', [r.g, a.b.shapeOf(r.X)])];
  },
};

export const ReduceMean: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b } = a;
    const r = keepDims(a);
    if (!r) return [dy0(a)];
    let scaled: string;
    if (r.axes.includes(0)) {
      // The batch axis is dynamic: divide by Size(X) / Size(Y) at run time.
      const ratio = b.op('Div', [b.op('Size', [r.X]), b.op('Size', [a.node.output[0]])]);
      scaled = b.op('Div', [r.g, b.op('Cast', [ratio], { to: 1 })]);
    } else {
      scaled = b.op('Mul', [r.g, b.scalar(1 / r.axes.reduce((p, ax) => p * r.xd[ax], 1))]);
    }
    return [b.op('Expand', [scaled, b.shapeOf(r.X)])];
  },
};

/** ReduceMax and ReduceMin: the gradient goes to the extremal elements, split among ties. */
export const ReduceExtremum: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b } = a;
    const r = keepDims(a);
    if (!r) return [dy0(a)];
    const hit = b.op('Cast', [b.op('Equal', [r.X, r.Yk])], { to: 1 });
    const ties = b.reduceSum(hit, r.axes, true);
    return [b.op('Mul', [hit, b.op('Div', [r.g, ties])])];
  },
};
