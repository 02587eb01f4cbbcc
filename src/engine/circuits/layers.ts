/**
 * The circuit's layers: the default list (up to 8 block outputs, evenly spaced: each Add/Concat
 * output, or the Relu right after it) and the check of a user's list against the model.
 */
import { LabError } from '../errors';
import type { Model } from '../onnx/model';
import type { Layer, ModelSummary } from '../types';

export const DEFAULT_LAYER_COUNT = 8;

/** Block outputs of the model, input to output; Relu outputs when it has no Add/Concat. */
export function blockOutputs(model: Model, summary: ModelSummary): Layer[] {
  const byTensor = new Map(summary.layers.map((l) => [l.tensor, l]));
  const consumers = new Map<string, string[]>();
  for (const n of model.graph.node) for (const x of n.input) consumers.set(x, [...(consumers.get(x) ?? []), n.opType]);
  const after = new Map<string, string>();
  for (const n of model.graph.node) if (n.opType === 'Relu' && n.input[0]) after.set(n.input[0], n.output[0]);
  const spatial = summary.layers.filter((l) => l.shape.length === 4);
  const blocks = spatial
    .filter((l) => l.op === 'Add' || l.op === 'Concat')
    .map((l) => {
      const relu = after.get(l.tensor);
      const only = consumers.get(l.tensor)?.length === 1;
      return relu && only && byTensor.has(relu) ? byTensor.get(relu)! : l;
    });
  return blocks.length > 0 ? blocks : spatial.filter((l) => l.op === 'Relu');
}

/** `count` items evenly spaced over the list, the last one always included. */
export function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  if (count === 1) return [items[items.length - 1]];
  const picks = new Set<number>();
  for (let i = 0; i < count; i++) picks.add(Math.round((i * (items.length - 1)) / (count - 1)));
  return [...picks].sort((a, b) => a - b).map((i) => items[i]);
}

export function defaultCircuitLayers(model: Model, summary: ModelSummary, count = DEFAULT_LAYER_COUNT): string[] {
  return evenlySpaced(blockOutputs(model, summary), count).map((l) => l.tensor);
}

/** The spec's layers as model layers (tensor names or labels), sorted input to output; unknown names throw. */
export function resolveCircuitLayers(summary: ModelSummary, names: readonly string[]): Layer[] {
  if (names.length === 0) throw new LabError('bad-request', 'A circuit needs at least one layer.');
  const order = new Map(summary.layers.map((l, i) => [l.tensor, i]));
  const layers = names.map((name) => {
    const layer = summary.layers.find((l) => l.tensor === name || l.label === name);
    if (!layer) throw new LabError('bad-request', `Unknown layer "${name}". \`lab inspect\` lists the layers.`);
    if (layer.shape.length !== 4 && layer.shape.length !== 2) throw new LabError('bad-request', `Layer ${layer.label} has shape [${layer.shape}]; a circuit layer needs a channel axis.`);
    return layer;
  });
  const unique = [...new Map(layers.map((l) => [l.tensor, l])).values()];
  return unique.sort((a, b) => order.get(a.tensor)! - order.get(b.tensor)!);
}
