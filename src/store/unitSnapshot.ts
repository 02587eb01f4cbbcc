/**
 * The last complete view of a unit (its exemplars with maps, statistics and concepts, and the
 * model summary it was drawn with), kept in IndexedDB under what a link names: model, dataset,
 * mean/std override, layer and unit. A revisit of that link draws it at once, before the model
 * and the worker are ready; the live view replaces it when it arrives (and a snapshot whose model
 * or dataset turned out to have changed is dropped). It is a first paint, never the answer: the
 * index and every request still go through the worker.
 */
import type { ModelSummary } from '../engine/types';
import type { UnitExemplars } from '../worker/protocol';
import { idbCappedStore, memoryCappedStore, type CappedStore } from '../worker/idb';
import { formatNormParam, type NormOverride } from './normOverride';

/** What a link names of a unit view (a model that a link cannot name has no snapshot). */
export interface UnitViewRef {
  /** A built-in model's id or the model's URL, as in the link. */
  model: string;
  dataset: string;
  norm: NormOverride | null;
  layer: string;
  unit: number;
}

export interface UnitSnapshot {
  key: string;
  savedAt: number;
  summary: ModelSummary;
  unit: UnitExemplars;
}

export type UnitSnapshotStore = CappedStore<UnitSnapshot>;

/** Views kept: each is ~30 exemplar images with maps (0.5 MB at 64×64, ~6 MB at 224×224). */
export const MAX_UNIT_SNAPSHOTS = 24;

export function unitSnapshotKey(ref: UnitViewRef): string {
  return [ref.model, ref.dataset, ref.norm ? formatNormParam(ref.norm) : '', ref.layer, ref.unit].join('|');
}

let store: UnitSnapshotStore | null = null;

/** The store in use: IndexedDB when the environment has it, else memory. */
export function getUnitSnapshots(): UnitSnapshotStore {
  if (!store) {
    store = typeof indexedDB !== 'undefined'
      ? idbCappedStore<UnitSnapshot>(indexedDB, 'interp-lab-views', 'unit-view', MAX_UNIT_SNAPSHOTS)
      : memoryCappedStore<UnitSnapshot>(MAX_UNIT_SNAPSHOTS);
  }
  return store;
}

/** Replaces the store (tests), or null to choose again on next use. */
export function setUnitSnapshots(next: UnitSnapshotStore | null): void {
  store = next;
}
