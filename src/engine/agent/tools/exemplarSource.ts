/**
 * The default ExemplarSource: indexes a scene dataset through the model one layer at a time (the
 * first call for a layer indexes it, with progress; later calls read the kept index). The worker
 * host may pass its own source over the exemplar index it already holds.
 */
import type { SceneDataset } from '../../data/datasets';
import { indexDataset } from '../../exemplars/indexer';
import type { LayerIndex } from '../../exemplars/layerIndex';
import { sceneSource } from '../../exemplars/sceneSource';
import type { LoadedModel } from '../../lab/loadedModel';
import type { ExemplarSource } from './context';

/** Exemplars kept per unit by the index (MAIA shows 15). */
export const INDEX_K = 15;

export function indexingExemplars(model: LoadedModel, dataset: SceneDataset, known: Map<string, LayerIndex> = new Map()): ExemplarSource {
  return {
    async top(layer, unit, k, opts) {
      let index = known.get(layer);
      if (!index || index.done < dataset.count) {
        const res = await indexDataset(model, sceneSource(dataset), {
          layers: [layer],
          k: INDEX_K,
          signal: opts.signal,
          resume: known,
          onProgress: (p) => opts.onProgress?.(p.done, p.total),
        });
        index = res.layers.get(layer)!;
      }
      return index.top.ranked(unit).slice(0, k);
    },
  };
}
