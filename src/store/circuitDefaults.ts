/**
 * What a circuit uses when the user leaves it open: up to 8 block outputs of the model, evenly
 * spaced (each Add/Concat output, or the ReLU right after it), and the other defaults of a circuit.
 */
import type { Layer, ModelSummary } from '../engine/types';

export const DEFAULT_CIRCUIT_LAYERS = 8;
export const DEFAULT_CIRCUIT_K = 5;
export const DEFAULT_CIRCUIT_EXAMPLES = 16;
export const DEFAULT_CIRCUIT_RANDOM = 20;

/** `count` items spread evenly over `items`, first and last included. */
export function evenly<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return items.slice();
  if (count <= 1) return items.slice(-1);
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]);
}

/** Spatial (NCHW) layers that end a block: Add/Concat outputs, or the ReLU listed right after one. */
export function blockOutputs(layers: readonly Layer[]): Layer[] {
  const out: Layer[] = [];
  layers.forEach((l, i) => {
    if (l.shape.length !== 4 || (l.op !== 'Add' && l.op !== 'Concat')) return;
    const next = layers[i + 1];
    out.push(next && next.op === 'Relu' && next.channels === l.channels && next.shape.length === 4 ? next : l);
  });
  return out;
}

/** The default circuit layers: block outputs, else the ReLUs, else every spatial layer; at most 8. */
export function defaultCircuitLayers(summary: Pick<ModelSummary, 'layers'>, count = DEFAULT_CIRCUIT_LAYERS): string[] {
  const spatial = summary.layers.filter((l) => l.shape.length === 4);
  const blocks = blockOutputs(summary.layers);
  const relus = spatial.filter((l) => l.op === 'Relu');
  const pool = blocks.length >= 2 ? blocks : relus.length >= 2 ? relus : spatial;
  return evenly(pool, count).map((l) => l.tensor);
}

