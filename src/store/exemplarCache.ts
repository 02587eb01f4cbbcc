/**
 * The page's cache of exemplar indexes (IndexedDB): a layer's [N,C] tables and rankings, keyed
 * by model sha256 + dataset sha256 + layer + k, so a reload shows exemplars without indexing
 * again. Content hashes in the key mean an entry is never stale. Where IndexedDB is missing
 * (Node tests, some private modes) a memory cache stands in; tests may inject their own.
 */
import type { LayerIndexSnapshot } from '../engine/exemplars/layerIndex';
import { idbDone, idbOpener, idbRequest } from '../worker/idb';

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

export interface ExemplarCache {
  /** 'indexeddb' or 'memory', shown in the UI. */
  readonly kind: string;
  get(key: string): Promise<CachedIndex | undefined>;
  put(entry: CachedIndex): Promise<void>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** Entries kept (each is one layer of one model over one dataset: a few MB for small models). */
export const MAX_CACHED_INDEXES = 32;

export function cacheKey(modelSha256: string, datasetSha256: string, layer: string, k: number): string {
  return `${modelSha256}|${datasetSha256}|${k}|${layer}`;
}

export function memoryCache(): ExemplarCache {
  const entries = new Map<string, CachedIndex>();
  return {
    kind: 'memory',
    // A copy, as IndexedDB gives: the page moves an entry's buffers to the worker.
    get: async (key) => {
      const entry = entries.get(key);
      return entry && structuredClone(entry);
    },
    put: async (entry) => {
      entries.set(entry.key, entry);
      while (entries.size > MAX_CACHED_INDEXES) {
        const oldest = [...entries.values()].sort((a, b) => a.savedAt - b.savedAt)[0];
        entries.delete(oldest.key);
      }
    },
    delete: async (key) => void entries.delete(key),
    keys: async () => [...entries.keys()],
  };
}

const DB_NAME = 'interp-lab';
const STORE = 'exemplar-index';

export function indexedDbCache(factory: IDBFactory = indexedDB): ExemplarCache {
  const open = idbOpener(factory, DB_NAME, 1, (db) => {
    const store = db.createObjectStore(STORE, { keyPath: 'key' });
    store.createIndex('savedAt', 'savedAt');
  });
  return {
    kind: 'indexeddb',
    async get(key) {
      const d = await open();
      return (await idbRequest(d.transaction(STORE, 'readonly').objectStore(STORE).get(key))) as CachedIndex | undefined;
    },
    async put(entry) {
      const d = await open();
      const tx = d.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      store.put(entry);
      const keys = (await idbRequest(store.index('savedAt').getAllKeys())) as IDBValidKey[];
      // Oldest first (the index is sorted by savedAt); the new entry is among the keys.
      for (const k of keys.slice(0, Math.max(0, keys.length - MAX_CACHED_INDEXES))) store.delete(k);
      await idbDone(tx);
    },
    async delete(key) {
      const d = await open();
      const tx = d.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).delete(key);
      await idbDone(tx);
    },
    async keys() {
      const d = await open();
      return (await idbRequest(d.transaction(STORE, 'readonly').objectStore(STORE).getAllKeys())) as string[];
    },
  };
}

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
