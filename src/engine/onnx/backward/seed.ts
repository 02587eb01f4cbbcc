/**
 * Targets as linear functionals of layer tensors: target_n = Σ_terms ⟨w_term, Y_term[n]⟩ with a
 * per-channel weight (divided by the map size for 'mean'), so d(target)/dY_term is that weight
 * broadcast over Y — a constant [1,C,1,1] Expanded to Shape(Y) (batch and spatial stay dynamic).
 * A term given a token layout (a token layer [N,T,C], see ../tokens) has its channels on axis 2
 * and its map on the patch tokens: the weight is [1,T,C], zero on the class token. The target's
 * value per image ([N]) is computed alongside, as a graph output.
 */
import { LabError } from '../../errors';
import type { Graph } from '../model';
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
  weights: number[];
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
    let w: string;
    if (tokens) {
      const [, T, C] = dims;
      const count = reduce === 'mean' ? tokens.grid[0] * tokens.grid[1] : 1;
      const perToken = new Float32Array(T * C);
      for (let t = tokens.prefix; t < T; t++) for (let c = 0; c < C; c++) perToken[t * C + c] = weights[c] / count;
      w = b.constF(perToken, [1, T, C], 'grad_seed_weights');
    } else {
      const count = reduce === 'mean' ? dims.slice(2).reduce((p, x) => p * x, 1) : 1;
      w = b.constF(weights.map((x) => x / count), [1, dims[1], ...Array(dims.length - 2).fill(1)], 'grad_seed_weights');
    }
    seeds.push({ tensor, grad: b.op('Expand', [w, b.shapeOf(tensor)]) });
    const weighted = b.op('Flatten', [b.op('Mul', [tensor, w])], { axis: 1 });
    values.push(b.reduceSum(weighted, [1], false));
  }
  const value = values.length === 1 ? values[0] : b.op('Sum', values);
  return { seeds, value, tensors: [...new Set(terms.map((t) => t.tensor))] };
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
  }
}

/** A token layout must fit the tensor: [N, prefix + rows·columns, C]. */
function checkTokens(tensor: string, dims: number[], tokens: TokenLayout): void {
  const [rows, cols] = tokens.grid;
  if (dims.length !== 3 || dims[1] !== tokens.prefix + rows * cols) {
    throw new LabError('bad-request', `Target "${tensor}" [${dims}] is not a token layer of ${tokens.prefix} + ${rows}×${cols} tokens.`);
  }
}
