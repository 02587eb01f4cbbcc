/** Sharing state: embed mode (one card, no app chrome; from `&embed=1`) and the start page. */
import type { SliceCreator } from './types';

/** localStorage key set once the start page was seen (it shows by itself on a first visit only). */
export const START_SEEN_KEY = 'lab.start-seen';

export interface ShareSlice {
  /** `&embed=1`: the active panel's card alone, sized for an iframe. Read when the page opens. */
  embed: boolean;
  /** The start page (gallery of example experiments) is shown. */
  startOpen: boolean;
  /** An experiment file is being fetched or opened. */
  experimentBusy: boolean;
  setEmbed: (embed: boolean) => void;
  setStartOpen: (open: boolean) => void;
  setExperimentBusy: (busy: boolean) => void;
}

function firstVisit(): boolean {
  try {
    return typeof localStorage !== 'undefined' && localStorage.getItem(START_SEEN_KEY) === null;
  } catch {
    return false;
  }
}

export const createShareSlice: SliceCreator<ShareSlice> = (set) => ({
  embed: false,
  startOpen: false,
  experimentBusy: false,
  setEmbed: (embed) => set({ embed }),
  setStartOpen: (startOpen) => {
    if (!startOpen) {
      try {
        localStorage.setItem(START_SEEN_KEY, '1');
      } catch {
        // Private mode: the page shows again next time, which is harmless.
      }
    }
    set({ startOpen });
  },
  setExperimentBusy: (experimentBusy) => set({ experimentBusy }),
});

/** Whether the start page opens by itself: a first visit to the bare lab (no link state, no embed). */
export function startPageOnOpen(hash: string): boolean {
  return firstVisit() && (hash === '' || hash === '#' || hash === '#/');
}
