/**
 * Probe surgery: onnxruntime returns only graph outputs, so we append small reductions of the
 * layers under study as extra outputs. Per probed layer: [N,C] spatial max and mean; per open
 * unit: its full [N,H,W] map. The original outputs are untouched, so the logits do not change.
 * A token layer [N,T,C] is reduced over its patch tokens, and a unit's map is its patch tokens
 * laid on the patch grid; the class token stays out of both, and is an output of its own.
 */
import { cloneModel, opsetVersion, type Model } from './model';
import { floatValueInfo, freshNamer, int64Initializer, makeNode } from './graph';
import type { TokenLayout } from '../types';

export interface ProbeLayer {
  tensor: string;
  /** Rank of the tensor: 4 for NCHW maps, 2 for [N,C] vectors, 3 for token layers. */
  rank: number;
  /** Token layers: the layout of the tokens (required for rank 3). */
  tokens?: TokenLayout;
}

export interface ProbeRequest {
  layers: ProbeLayer[];
  maps?: Array<{ tensor: string; unit: number; tokens?: TokenLayout }>;
}

export const probeOutput = {
  max: (tensor: string) => `probe:max:${tensor}`,
  mean: (tensor: string) => `probe:mean:${tensor}`,
  map: (tensor: string, unit: number) => `probe:map:${tensor}:${unit}`,
  /** A token layer's unit on its leading (class) tokens, kept apart from the map: [N, prefix]. */
  classToken: (tensor: string, unit: number) => `probe:cls:${tensor}:${unit}`,
};

const INT64_MAX = 9007199254740991;

/** Returns a new model whose outputs are the original ones followed by the probe outputs. */
export function addProbes(model: Model, request: ProbeRequest): Model {
  const out = cloneModel(model);
  const graph = out.graph!;
  const fresh = freshNamer(graph);
  const opset = opsetVersion(model);
  const produced = new Set(graph.node.flatMap((n) => n.output));
  graph.input.forEach((v) => produced.add(v.name));

  // Int64 constants, shared by value.
  const constants = new Map<string, string>();
  const i64 = (values: number[], scalar = false) => {
    const key = `${scalar ? 's' : 'v'}:${values.join(',')}`;
    let name = constants.get(key);
    if (!name) {
      name = fresh(`probe_i64_${values.join('_')}`);
      graph.initializer.push(scalar ? { ...int64Initializer(name, values), dims: [] } : int64Initializer(name, values));
      constants.set(key, name);
    }
    return name;
  };
  // ReduceMax/ReduceMean take `axes` as an input from opset 18 on, an attribute before.
  const reduce = (op: string, input: string, output: string, axes: number[]) => {
    if (opset >= 18) return makeNode(op, [input, i64(axes)], [output], fresh(`probe/${op}/${input}`), { keepdims: 0 });
    return makeNode(op, [input], [output], fresh(`probe/${op}/${input}`), { axes, keepdims: 0 });
  };
  // A token layer's patch tokens: [N, T, …] -> [N, T − prefix, …] (the tensor itself without a prefix).
  const patches = (tensor: string, tokens: TokenLayout) => {
    if (tokens.prefix === 0) return tensor;
    const name = fresh(`probe/patches/${tensor}`);
    graph.node.push(makeNode('Slice', [tensor, i64([tokens.prefix]), i64([INT64_MAX]), i64([1])], [name], fresh(`probe/Slice/${tensor}`)));
    return name;
  };

  for (const { tensor, rank, tokens } of request.layers) {
    if (!produced.has(tensor)) throw new Error(`Cannot probe "${tensor}": no node produces it.`);
    const maxName = probeOutput.max(tensor);
    const meanName = probeOutput.mean(tensor);
    if (rank === 4) {
      graph.node.push(reduce('ReduceMax', tensor, maxName, [2, 3]), reduce('ReduceMean', tensor, meanName, [2, 3]));
    } else if (rank === 3 && tokens) {
      const p = patches(tensor, tokens);
      graph.node.push(reduce('ReduceMax', p, maxName, [1]), reduce('ReduceMean', p, meanName, [1]));
    } else if (rank === 2) {
      // A vector layer is its own max and mean.
      graph.node.push(
        makeNode('Identity', [tensor], [maxName], fresh(`probe/max/${tensor}`)),
        makeNode('Identity', [tensor], [meanName], fresh(`probe/mean/${tensor}`)),
      );
    } else {
      throw new Error(`Cannot probe "${tensor}": rank ${rank} has no channel axis the lab understands.`);
    }
    graph.output.push(floatValueInfo(maxName, ['N', null]), floatValueInfo(meanName, ['N', null]));
  }

  for (const { tensor, unit, tokens } of request.maps ?? []) {
    if (!produced.has(tensor)) throw new Error(`Cannot map "${tensor}": no node produces it.`);
    const name = probeOutput.map(tensor, unit);
    // A scalar index makes Gather drop the channel axis: [N,C,H,W] -> [N,H,W], [N,T,C] -> [N,T].
    const index = i64([unit], true);
    if (tokens) {
      const picked = fresh(`probe/unit/${tensor}`);
      graph.node.push(makeNode('Gather', [tensor, index], [picked], fresh(`probe/map/${tensor}`), { axis: 2 }));
      const shape = i64([-1, ...tokens.grid]);
      graph.node.push(makeNode('Reshape', [patches(picked, tokens), shape], [name], fresh(`probe/grid/${tensor}`)));
      if (tokens.prefix > 0) {
        const cls = probeOutput.classToken(tensor, unit);
        graph.node.push(makeNode('Slice', [picked, i64([0]), i64([tokens.prefix]), i64([1])], [cls], fresh(`probe/cls/${tensor}`)));
        graph.output.push(floatValueInfo(cls, ['N', tokens.prefix]));
      }
    } else {
      graph.node.push(makeNode('Gather', [tensor, index], [name], fresh(`probe/map/${tensor}`), { axis: 1 }));
    }
    graph.output.push(floatValueInfo(name, ['N', null, null]));
  }
  return out;
}

/** Exposes intermediate tensors as outputs, with no type declared: onnxruntime infers it. */
export function exposeTensors(model: Model, tensors: string[]): Model {
  const out = cloneModel(model);
  const graph = out.graph!;
  const existing = new Set(graph.output.map((o) => o.name));
  for (const t of tensors) if (!existing.has(t)) graph.output.push({ name: t } as typeof graph.output[number]);
  return out;
}
