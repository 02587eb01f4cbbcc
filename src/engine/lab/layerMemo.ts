/**
 * What a model's dry run found (its layers and their shapes), remembered by the model's sha256 and
 * input size, so that reopening a model the page has seen skips the dry run — one session over every
 * intermediate tensor and a run, the largest part of a cached visit's model load in a tab. The
 * layers depend only on the bytes and the input size; the version changes when the way layers are
 * found changes, so an entry is never stale.
 */
import type { Layer } from '../types';

/** Bump when dryRunLayers keeps or names layers differently. */
const LAYERS_VERSION = 2; // 2: token layers [N,T,C] are layers

export interface LayerMemo {
  get(key: string): Promise<Layer[] | undefined>;
  put(key: string, layers: Layer[]): Promise<void>;
}

export function layerMemoKey(sha256: string, size: [number, number]): string {
  return `v${LAYERS_VERSION}|${sha256}|${size[0]}x${size[1]}`;
}

/** A memo in memory (tests; a page without IndexedDB). */
export function memoryLayerMemo(): LayerMemo {
  const entries = new Map<string, Layer[]>();
  return {
    get: async (key) => entries.get(key),
    put: async (key, layers) => void entries.set(key, layers),
  };
}
