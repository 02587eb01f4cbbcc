/**
 * Mask surgery: for each masked layer a new graph input `mask:<layer>` ([1,C,1,1], [1,C] for
 * vector layers, [1,1,C] for token layers) multiplies the layer's output. The producer's output
 * is renamed and the Mul writes the original name, so every consumer — later nodes, graph
 * outputs, probes — sees the masked value. All-ones masks leave the model's function unchanged.
 */
import { cloneModel, type Model } from './model';
import { floatValueInfo, freshNamer, makeNode } from './graph';

export interface MaskLayer {
  tensor: string;
  channels: number;
  rank: number;
}

export const maskInput = (tensor: string) => `mask:${tensor}`;
export const shiftInput = (tensor: string) => `shift:${tensor}`;

export interface MaskOptions {
  /** Masks per batch row ([N,C,1,1]) instead of one for the batch: many ablations in one run. */
  batched?: boolean;
  /** Also an additive input `shift:<layer>` (same shape): y = x·mask + shift, for mean ablation. */
  shift?: boolean;
}

export function addMasks(model: Model, layers: MaskLayer[], options: MaskOptions = {}): Model {
  const out = cloneModel(model);
  const graph = out.graph!;
  const fresh = freshNamer(graph);
  for (const { tensor, channels, rank } of layers) {
    const index = graph.node.findIndex((n) => n.output.includes(tensor));
    if (index < 0) throw new Error(`Cannot mask "${tensor}": no node produces it.`);
    const producer = graph.node[index];
    const raw = fresh(`${tensor}:unmasked`);
    producer.output = producer.output.map((o) => (o === tensor ? raw : o));
    const input = maskInput(tensor);
    // A token layer [N,T,C] scales a channel across all its tokens (class token included).
    const batch = options.batched ? 'N' : 1;
    const dims = rank === 4 ? [batch, channels, 1, 1] : rank === 3 ? [batch, 1, channels] : [batch, channels];
    graph.input.push(floatValueInfo(input, dims));
    // Insert right after the producer to keep the node list topologically sorted.
    if (!options.shift) {
      graph.node.splice(index + 1, 0, makeNode('Mul', [raw, input], [tensor], fresh(`mask/${tensor}`)));
      continue;
    }
    const scaled = fresh(`${tensor}:scaled`);
    graph.input.push(floatValueInfo(shiftInput(tensor), dims));
    graph.node.splice(
      index + 1,
      0,
      makeNode('Mul', [raw, input], [scaled], fresh(`mask/${tensor}`)),
      makeNode('Add', [scaled, shiftInput(tensor)], [tensor], fresh(`shift/${tensor}`)),
    );
  }
  return out;
}
