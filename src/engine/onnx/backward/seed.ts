/**
 * Targets as linear functionals of layer tensors: target_n = Σ_terms ⟨w_term, Y_term[n]⟩ with a
 * per-channel weight (divided by the map size for 'mean'), so d(target)/dY_term is that weight
 * broadcast over Y — a constant [1,C,1,1] Expanded to Shape(Y) (batch and spatial stay dynamic).
 * A term given a token layout (a token layer [N,T,C], see ../tokens) has its channels on axis 2
 * and its map on the patch tokens: the weight is [1,T,C], zero on the class token. The target's
 * value per image ([N]) is computed alongside, as a graph output. A 'max' reduce is the
 * exception: its seed is the weight times the (tie-shared) indicator of the channel's maximum.
 */
import { LabError } from '../../errors';
import { floatValueInfo } from '../graph';
import { onnx, type Graph } from '../model';
import type { TokenLayout } from '../../types';
import type { Builder } from './builder';
import type { GradientTarget, Reduce } from './types';

export interface Seeds {
  /** Gradient seeds: d(target)/d(tensor), one per term (several may share a tensor). */
  seeds: Array<{ tensor: string; grad: string }>;
  /** The target's value per image, [N]. */
  value: string;
  /** Tensors the target reads. */
  tensors: string[];
}

interface Term {
  tensor: string;
  /** Constant per-channel weights, or the name of a graph input holding them per row ([N, C]). */
  weights: number[] | { input: string };
  reduce: Reduce;
  tokens?: TokenLayout;
}

export function buildSeeds(b: Builder, graph: Graph, target: GradientTarget, exists: (t: string) => boolean): Seeds {
  const terms = targetTerms(b, graph, target, exists);
  const seeds: Seeds['seeds'] = [];
  const values: string[] = [];
  for (const { tensor, weights, reduce, tokens } of terms) {
    const dims = b.requireDims(tensor);
    if (dims.length < 2) throw new LabError('bad-request', `Target tensor "${tensor}" has rank ${dims.length}; it needs a channel axis.`);
    const spatial = dims.slice(2);
    let w: string;
    if (tokens) {
      if (!Array.isArray(weights) || reduce === 'max') {
        throw new LabError('bad-request', `Token layer "${tensor}": per-row weights and a max reduce are not supported there (use sum or mean).`);
      }
      const [, T, C] = dims;
      const count = reduce === 'mean' ? tokens.grid[0] * tokens.grid[1] : 1;
      const perToken = new Float32Array(T * C);
      for (let t = tokens.prefix; t < T; t++) for (let c = 0; c < C; c++) perToken[t * C + c] = weights[c] / count;
      w = b.constF(perToken, [1, T, C], 'grad_seed_weights');
    } else {
      const count = reduce === 'mean' ? spatial.reduce((p, x) => p * x, 1) : 1;
      const wDims = [1, dims[1], ...spatial.map(() => 1)];
      if (Array.isArray(weights)) w = b.constF(weights.map((x) => x / count), wDims, 'grad_seed_weights');
      else {
        // Per-row weights: a new graph input [N, C], reshaped to broadcast over the spatial axes.
        graph.input.push(floatValueInfo(weights.input, ['N', dims[1]]));
        const rows = b.op('Reshape', [weights.input, b.constI64([-1, ...wDims.slice(1)])]);
        w = count === 1 ? rows : b.op('Mul', [rows, b.scalar(1 / count)]);
      }
    }
    if (reduce === 'max' && spatial.length > 0) {
      // d max/dY: 1/ties at the positions equal to the channel's max, 0 elsewhere.
      const axes = spatial.map((_, i) => i + 2);
      const peak = reduceMax(b, tensor, axes);
      const hits = b.op('Cast', [b.op('Equal', [tensor, peak])], { to: onnx.TensorProto.DataType.FLOAT });
      const share = b.op('Div', [hits, b.reduceSum(hits, axes, true)]);
      seeds.push({ tensor, grad: b.op('Mul', [share, w]) });
      values.push(b.reduceSum(b.op('Flatten', [b.op('Mul', [peak, w])], { axis: 1 }), [1], false));
      continue;
    }
    seeds.push({ tensor, grad: b.op('Expand', [w, b.shapeOf(tensor)]) });
    const weighted = b.op('Flatten', [b.op('Mul', [tensor, w])], { axis: 1 });
    values.push(b.reduceSum(weighted, [1], false));
  }
  const value = values.length === 1 ? values[0] : b.op('Sum', values);
  return { seeds, value, tensors: [...new Set(terms.map((t) => t.tensor))] };
}

/** ReduceMax over `axes`, keeping them (axes an attribute before opset 18, an input since). */
function reduceMax(b: Builder, x: string, axes: number[]): string {
  if (b.opset >= 18) return b.op('ReduceMax', [x, b.constI64(axes)], { keepdims: 1 });
  return b.op('ReduceMax', [x], { axes, keepdims: 1 });
}

function targetTerms(b: Builder, graph: Graph, target: GradientTarget, exists: (t: string) => boolean): Term[] {
  const channels = (tensor: string, tokens?: TokenLayout): number => {
    if (!exists(tensor)) throw new LabError('bad-request', `Unknown target tensor "${tensor}".`);
    const dims = b.requireDims(tensor);
    if (tokens) checkTokens(tensor, dims, tokens);
    return dims[tokens ? 2 : 1];
  };
  const oneHot = (n: number, i: number, what: string) => {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new LabError('bad-request', `${what} ${i} is out of range (0…${n - 1}).`);
    return Array.from({ length: n }, (_, k) => (k === i ? 1 : 0));
  };
  switch (target.kind) {
    case 'unit':
      return [{ tensor: target.tensor, weights: oneHot(channels(target.tensor, target.tokens), target.unit, `Unit`), reduce: target.reduce, tokens: target.tokens }];
    case 'logit': {
      const out = graph.output[0].name;
      return [{ tensor: out, weights: oneHot(channels(out), target.index, 'Logit index'), reduce: 'sum' }];
    }
    case 'weighted': {
      if (target.terms.length === 0) throw new LabError('bad-request', 'A weighted target needs at least one term.');
      return target.terms.map((t) => {
        const c = channels(t.tensor, t.tokens);
        if (t.weights.length !== c) {
          throw new LabError('bad-request', `Target "${t.tensor}" has ${c} channels but ${t.weights.length} weights were given.`);
        }
        return { tensor: t.tensor, weights: t.weights, reduce: t.reduce, tokens: t.tokens };
      });
    }
    case 'rows':
      channels(target.tensor);
      if (exists(target.weights)) throw new LabError('bad-request', `The row-weights input "${target.weights}" clashes with a tensor of the model.`);
      return [{ tensor: target.tensor, weights: { input: target.weights }, reduce: target.reduce }];
  }
}

/** A token layout must fit the tensor: [N, prefix + rows·columns, C]. */
function checkTokens(tensor: string, dims: number[], tokens: TokenLayout): void {
  const [rows, cols] = tokens.grid;
  if (dims.length !== 3 || dims[1] !== tokens.prefix + rows * cols) {
    throw new LabError('bad-request', `Target "${tensor}" [${dims}] is not a token layer of ${tokens.prefix} + ${rows}×${cols} tokens.`);
  }
}
