/** Search in the layer list: every word must appear in the layer's label, tensor name or op (any case). */
import type { Layer } from '../../engine/types';

export function filterLayers(layers: readonly Layer[], query: string): Layer[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...layers];
  return layers.filter((l) => {
    const text = `${l.label} ${l.tensor} ${l.op}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
