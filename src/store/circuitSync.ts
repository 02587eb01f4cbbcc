/**
 * Keeps the worker's edits and the linked circuit in step with the store: each model load (a new
 * summary: another model, a backend change, a fresh worker) gets the edit list again — or drops
 * it when the model is another one — and a link's circuit is discovered once the model and the
 * dataset are ready.
 */
import type { StoreApi, UseBoundStore } from 'zustand';
import type { LabState } from './types';

type Store = UseBoundStore<StoreApi<LabState>>;

export function startCircuitSync(store: Store): () => void {
  let summary = store.getState().summary;
  return store.subscribe((s) => {
    if (s.summary !== summary) {
      const previous = summary;
      summary = s.summary;
      if (s.summary) {
        const otherModel = previous !== null && previous.sha256 !== s.summary.sha256;
        if (otherModel) {
          // Edits and a circuit name units of the model they were made on.
          store.setState({ circuitEdits: [], circuitEditsState: 'none', circuitEditedSha: null, circuitCheck: null, ...(s.circuit?.model.sha256 !== s.summary.sha256 && s.circuitSource === 'discovered' ? { circuit: null, circuitExamples: null, circuitStatus: 'idle' as const } : {}) });
        } else if (s.circuitEdits.length > 0) void s.pushCircuitEdits();
        void store.getState().loadCircuitDefaults();
      }
    }
    if (s.circuitPendingRun) void s.syncCircuit();
  });
}
