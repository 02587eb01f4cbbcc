/**
 * The page's cache of exemplar indexes (IndexedDB): a layer's [N,C] tables and rankings, keyed
 * by model sha256 + dataset sha256 + layer + k, so a reload shows exemplars without indexing
 * again. Content hashes in the key mean an entry is never stale. Where IndexedDB is missing
 * (Node tests, some private modes) a memory cache stands in; tests may inject their own.
 */
import type { LayerIndexSnapshot } from '../engine/exemplars/layerIndex';
import { idbCappedStore, memoryCappedStore, type CappedStore } from '../worker/idb';

export interface CachedIndex {
  key: string;
  modelSha256: string;
  datasetSha256: string;
  layer: string;
  k: number;
  /** Date.now() when written: the oldest entries go first beyond MAX_CACHED_INDEXES. */
  savedAt: number;
  index: LayerIndexSnapshot;
}

export type ExemplarCache = CappedStore<CachedIndex>;

/** Entries kept (each is one layer of one model over one dataset: a few MB for small models). */
export const MAX_CACHED_INDEXES = 32;

export function cacheKey(modelSha256: string, datasetSha256: string, layer: string, k: number): string {
  return `${modelSha256}|${datasetSha256}|${k}|${layer}`;
}

export const memoryCache = (): ExemplarCache => memoryCappedStore<CachedIndex>(MAX_CACHED_INDEXES);

export const indexedDbCache = (factory: IDBFactory = indexedDB): ExemplarCache =>
  idbCappedStore<CachedIndex>(factory, 'interp-lab', 'exemplar-index', MAX_CACHED_INDEXES);

let cache: ExemplarCache | null = null;

/** The cache in use: IndexedDB when the environment has it, else memory. */
export function getExemplarCache(): ExemplarCache {
  if (!cache) cache = typeof indexedDB !== 'undefined' ? indexedDbCache() : memoryCache();
  return cache;
}

/** Replaces the cache (tests), or null to choose again on next use. */
export function setExemplarCache(next: ExemplarCache | null): void {
  cache = next;
}
