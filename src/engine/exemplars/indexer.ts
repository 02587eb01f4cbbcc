/**
 * Indexing a dataset through a model: batches of images go through one probed run for all the
 * requested layers, and every layer's tables and rankings grow. Progress reports images/s and
 * an ETA; a signal cancels between batches; passing the partial indexes back resumes, and `end`
 * stops early on purpose (progressive indexing: a caller indexes in chunks and shows the partial
 * rankings between them; chunk after chunk ends exactly where one full pass ends).
 */
import type { LoadedModel } from '../lab/loadedModel';
import { LabError } from '../errors';
import type { Preprocess, RawImage } from '../types';
import { LayerIndex } from './layerIndex';

/** Images by position; an unreadable one is null (skipped and counted, never fatal). */
export interface ImageSource {
  id: string;
  count: number;
  load(start: number, end: number): Promise<Array<RawImage | null>>;
}

export interface IndexProgress {
  done: number;
  total: number;
  skipped: number;
  imagesPerSecond: number;
  etaSeconds: number | null;
}

export interface IndexOptions {
  layers: string[];
  k?: number;
  batch?: number;
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
  /**
   * Where the layer indexes live. Pass the same map again after a cancel (same model and
   * source) and indexing continues where it stopped; the map is filled in place.
   */
  resume?: Map<string, LayerIndex>;
  /** Normalisation instead of the model's (a dataset's mean/std override). */
  preprocess?: Preprocess;
  /** Stop once images [0, end) are indexed (default: all); pass `resume` to go on later. */
  end?: number;
}

export interface IndexResult {
  layers: Map<string, LayerIndex>;
  /** Positions of images that could not be read. */
  skipped: number[];
}

export async function indexDataset(model: LoadedModel, source: ImageSource, options: IndexOptions): Promise<IndexResult> {
  if (options.layers.length === 0) throw new LabError('bad-request', 'Name at least one layer to index.');
  const k = options.k ?? 15;
  const batch = Math.max(1, options.batch ?? 32);
  const store = options.resume ?? new Map<string, LayerIndex>();
  for (const tensor of options.layers) {
    const layer = model.summary.layers.find((l) => l.tensor === tensor);
    if (!layer) throw new LabError('bad-request', `Unknown layer "${tensor}".`);
    const prior = store.get(tensor);
    if (!prior || prior.count !== source.count || prior.k !== k || prior.channels !== layer.channels) {
      store.set(tensor, new LayerIndex(tensor, layer.channels, source.count, k));
    }
  }
  const layers = new Map(options.layers.map((t) => [t, store.get(t)!]));
  const start = Math.min(...[...layers.values()].map((l) => l.done));
  // Layers stopped at different points restart together from the start.
  for (const [tensor, index] of layers) {
    if (index.done !== start) {
      const fresh = new LayerIndex(tensor, index.channels, source.count, k);
      layers.set(tensor, fresh);
      store.set(tensor, fresh);
    }
  }
  const skipped: number[] = [];
  const t0 = performance.now();
  const stop = Math.min(source.count, options.end ?? source.count);
  for (let first = start; first < stop; first += batch) {
    if (options.signal?.aborted) throw new LabError('cancelled', 'Indexing cancelled');
    const end = Math.min(stop, first + batch);
    const loaded = await source.load(first, end);
    const readable = loaded.flatMap((img, i) => (img ? [{ img, at: i }] : []));
    loaded.forEach((img, i) => img || skipped.push(first + i));
    const result = readable.length
      ? await model.run({ images: readable.map((r) => r.img), layers: options.layers, signal: options.signal, preprocess: options.preprocess })
      : null;
    for (const [tensor, index] of layers) {
      const C = index.channels;
      const max = new Float32Array((end - first) * C).fill(Number.NaN);
      const mean = new Float32Array((end - first) * C).fill(Number.NaN);
      if (result) {
        const stats = result.stats[tensor];
        readable.forEach(({ at }, r) => {
          max.set(stats.max.data.subarray(r * C, (r + 1) * C), at * C);
          mean.set(stats.mean.data.subarray(r * C, (r + 1) * C), at * C);
        });
      }
      index.add(first, max, mean);
    }
    const done = end;
    const rate = (done - start) / Math.max(1e-3, (performance.now() - t0) / 1000);
    options.onProgress?.({
      done,
      total: source.count,
      skipped: skipped.length,
      imagesPerSecond: rate,
      etaSeconds: rate > 0 ? (source.count - done) / rate : null,
    });
  }
  return { layers, skipped };
}
