/**
 * What the worker remembers about generated scene datasets between visits: a dataset's content
 * hash and its scenes' facets, keyed by its recipe (id, options, count, generator version and the
 * sha256 of every asset file it is generated from). With an entry, a reload opens the dataset
 * without rendering and hashing all its scenes again (seconds in a tab); a changed asset or
 * generator version changes the recipe, so an entry is never stale.
 */
import { sha256Hex } from '../engine/data/sha256';
import { idbKeyValue } from './idb';

export interface DatasetMemoEntry {
  /** sha256 (hex) of the dataset's pixels, as SceneDataset computes it. */
  sha256: string;
  /** The scenes' facets, 4 bytes each (see encodeFacets in datasets.ts). */
  facets: Uint8Array;
}

export interface DatasetMemo {
  get(recipe: string): Promise<DatasetMemoEntry | undefined>;
  put(recipe: string, entry: DatasetMemoEntry): Promise<void>;
}

export function memoryMemo(): DatasetMemo {
  const entries = new Map<string, DatasetMemoEntry>();
  return {
    get: async (recipe) => entries.get(recipe),
    put: async (recipe, entry) => void entries.set(recipe, entry),
  };
}

const DB_NAME = 'interp-lab-datasets';
const STORE = 'scene-datasets';

/** The memo in IndexedDB (the worker's; a database of its own, so the page's keeps its version). */
export function indexedDbMemo(factory: IDBFactory = indexedDB): DatasetMemo {
  return idbKeyValue<DatasetMemoEntry>(factory, DB_NAME, STORE);
}

/** sha256 (hex) of one buffer: WebCrypto where the context has it (not on plain-http LAN pages), else the JS one. */
export async function digestHex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return sha256Hex(bytes);
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
