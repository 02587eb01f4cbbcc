/** What the researcher is looking at: panel, layer, unit, and the backend they prefer. */
import type { SliceCreator } from './types';
import { DEFAULT_PANEL, type PanelId } from './panels';
import type { BackendPreference } from './backendPreference';

export interface ViewFields {
  panel: PanelId;
  /** Selected layer: its tensor name, the stable id used by probes and URLs. */
  layer: string | null;
  /** Selected channel of the selected layer. */
  unit: number | null;
  backendPreference: BackendPreference;
}

export interface ViewSlice extends ViewFields {
  setPanel: (panel: PanelId) => void;
  /** Selects a layer (null clears); a different layer clears the unit. */
  selectLayer: (tensor: string | null) => void;
  /** Selects a channel of the selected layer; invalid values are refused with a notice. */
  selectUnit: (unit: number | null) => void;
  /** Sets the preference, reconfigures the engine, and reloads the current model on it. */
  setBackendPreference: (pref: BackendPreference) => Promise<void>;
  /** Sets several view fields at once without side effects (used by the URL sync). */
  applyView: (view: Partial<ViewFields>) => void;
}

export const createViewSlice: SliceCreator<ViewSlice> = (set, get) => ({
  panel: DEFAULT_PANEL,
  layer: null,
  unit: null,
  backendPreference: 'auto',
  setPanel: (panel) => set({ panel }),
  selectLayer: (tensor) => {
    const { summary, layer, pushNotice } = get();
    if (tensor !== null && summary && !summary.layers.some((l) => l.tensor === tensor)) {
      pushNotice({ level: 'warning', title: `There is no layer “${tensor}” in ${summary.name}` });
      return;
    }
    if (tensor === layer) return;
    set({ layer: tensor, unit: null });
  },
  selectUnit: (unit) => {
    const { summary, layer, pushNotice } = get();
    if (unit === null) {
      set({ unit: null });
      return;
    }
    if (!Number.isSafeInteger(unit) || unit < 0) {
      pushNotice({ level: 'warning', title: `Unit must be a whole number ≥ 0 (got ${unit})` });
      return;
    }
    const channels = summary?.layers.find((l) => l.tensor === layer)?.channels;
    if (channels !== undefined && unit >= channels) {
      pushNotice({ level: 'warning', title: `Layer “${layer}” has ${channels} channels; unit ${unit} does not exist` });
      return;
    }
    set({ unit });
  },
  setBackendPreference: async (pref) => {
    if (pref === get().backendPreference) return;
    set({ backendPreference: pref });
    await get().reloadModel();
  },
  applyView: (view) => set(view),
});
