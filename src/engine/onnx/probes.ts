/**
 * Probe surgery: onnxruntime returns only graph outputs, so we append small reductions of the
 * layers under study as extra outputs. Per probed layer: [N,C] spatial max and mean; per open
 * unit: its full [N,H,W] map. The original outputs are untouched, so the logits do not change.
 */
import { cloneModel, opsetVersion, type Model } from './model';
import { floatValueInfo, freshNamer, int64Initializer, makeNode } from './graph';

export interface ProbeLayer {
  tensor: string;
  /** Rank of the tensor: 4 for NCHW maps, 2 for [N,C] vectors. */
  rank: number;
}

export interface ProbeRequest {
  layers: ProbeLayer[];
  maps?: Array<{ tensor: string; unit: number }>;
}

export const probeOutput = {
  max: (tensor: string) => `probe:max:${tensor}`,
  mean: (tensor: string) => `probe:mean:${tensor}`,
  map: (tensor: string, unit: number) => `probe:map:${tensor}:${unit}`,
};

/** Returns a new model whose outputs are the original ones followed by the probe outputs. */
export function addProbes(model: Model, request: ProbeRequest): Model {
  const out = cloneModel(model);
  const graph = out.graph!;
  const fresh = freshNamer(graph);
  const opset = opsetVersion(model);
  const produced = new Set(graph.node.flatMap((n) => n.output));
  graph.input.forEach((v) => produced.add(v.name));

  // ReduceMax/ReduceMean take `axes` as an input from opset 18 on, an attribute before.
  let axesInput: string | null = null;
  const reduce = (op: string, input: string, output: string) => {
    if (opset >= 18) {
      if (!axesInput) {
        axesInput = fresh('probe_axes_hw');
        graph.initializer.push(int64Initializer(axesInput, [2, 3]));
      }
      return makeNode(op, [input, axesInput], [output], fresh(`probe/${op}/${input}`), { keepdims: 0 });
    }
    return makeNode(op, [input], [output], fresh(`probe/${op}/${input}`), { axes: [2, 3], keepdims: 0 });
  };

  for (const { tensor, rank } of request.layers) {
    if (!produced.has(tensor)) throw new Error(`Cannot probe "${tensor}": no node produces it.`);
    const maxName = probeOutput.max(tensor);
    const meanName = probeOutput.mean(tensor);
    if (rank === 4) {
      graph.node.push(reduce('ReduceMax', tensor, maxName), reduce('ReduceMean', tensor, meanName));
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

  for (const { tensor, unit } of request.maps ?? []) {
    if (!produced.has(tensor)) throw new Error(`Cannot map "${tensor}": no node produces it.`);
    const index = fresh(`probe_unit_${unit}`);
    // A scalar index makes Gather drop the channel axis: [N,C,H,W] -> [N,H,W].
    graph.initializer.push({ ...int64Initializer(index, [unit]), dims: [] });
    const name = probeOutput.map(tensor, unit);
    graph.node.push(makeNode('Gather', [tensor, index], [name], fresh(`probe/map/${tensor}`), { axis: 1 }));
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
