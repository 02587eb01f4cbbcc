/**
 * Gather with constant indices (ViT's class token x[:, 0], index tables), and the adjoint of
 * picking positions along one axis that Gather and strided Slice share (scatterAlong).
 */
import type { Builder } from '../builder';
import { attrs } from '../builder';
import { dy0, type Rule } from './rule';

const INT64_MAX = 9007199254740991;

/**
 * The adjoint of taking positions `indices` (in 0…size−1, repeats allowed) along `axis`: `g` has
 * that axis of length indices.length; the result has it of length `size`, each position
 * receiving the sum of the entries picked from it. One MatMul with a constant 0/1 matrix
 * [K, size] over the axis moved last.
 */
export function scatterAlong(b: Builder, g: string, rank: number, axis: number, indices: number[], size: number): string {
  const K = indices.length;
  const contiguous = indices.every((v, k) => v === indices[0] + k);
  if (contiguous && K > 0) {
    const pads = Array<number>(2 * rank).fill(0);
    pads[axis] = indices[0];
    pads[rank + axis] = size - indices[0] - K;
    return b.pad(g, pads);
  }
  const onehot = new Float32Array(K * size);
  indices.forEach((v, k) => (onehot[k * size + v] = 1));
  const O = b.constF(onehot, [K, size], 'grad_scatter_onehot');
  if (axis === rank - 1) return b.op('MatMul', [g, O]);
  const perm = [...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis), axis];
  const inverse = Array<number>(rank);
  perm.forEach((p, i) => (inverse[p] = i));
  const moved = b.op('MatMul', [b.op('Transpose', [g], { perm }), O]);
  return b.op('Transpose', [moved], { perm: inverse });
}

export const Gather: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const [X, I] = node.input;
    const xd = b.requireDims(X);
    const rank = xd.length;
    let axis = attrs(node).int('axis', 0);
    if (axis < 0) axis += rank;
    const values = b.constValue(I);
    const idims = b.dims(I);
    if (!values || !idims) throw b.unsupported('indices computed at run time');
    const size = xd[axis];
    const indices = values.map((v) => (v < 0 ? v + size : v));
    if (indices.some((v) => v < 0 || v >= size)) throw b.unsupported(`an index out of range 0…${size - 1}`);
    let g = dy0(a);
    if (idims.length === 0) {
      g = b.unsqueeze(g, [axis]);
    } else if (idims.length > 1) {
      // Merge the index axes into one: [X dims before axis, K, X dims after].
      const shape = b.shapeOf(g);
      const before = b.slice(shape, [0], [axis], [0]);
      const after = b.slice(shape, [axis + idims.length], [INT64_MAX], [0]);
      g = b.op('Reshape', [g, b.op('Concat', [before, b.constI64([indices.length]), after], { axis: 0 })]);
    }
    return [scatterAlong(b, g, rank, axis, indices, size)];
  },
};
