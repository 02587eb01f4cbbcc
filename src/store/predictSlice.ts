/** One image through the model: the chosen input, its prediction, and whether it is running. */
import type { RawImage } from '../engine/types';
import type { Prediction } from '../worker/protocol';
import type { SliceCreator } from './types';
import { forgetCrashedEngine, getEngine } from './engine';
import { noticeFromError } from './errorNotice';

export type PredictInput =
  | { kind: 'sample'; index: number; url: string; label: string }
  | { kind: 'upload'; name: string; url: string }
  /** Scene `index` of a built-in dataset, with its pixels (drawn on a canvas). */
  | { kind: 'scene'; dataset: string; index: number; label: string; image: RawImage };

export interface PredictSlice {
  /** The image chosen for prediction (a built-in sample, an upload or a dataset scene), for display. */
  predictInput: PredictInput | null;
  /** Its true label, when known. */
  trueLabel: string | null;
  prediction: Prediction | null;
  running: boolean;
  selectPredictInput: (input: PredictInput | null) => void;
  /** Runs the loaded model on one image; a newer call supersedes an older one's result. */
  predictImage: (raw: RawImage, label?: string) => Promise<void>;
}

let predictToken = 0;

export const createPredictSlice: SliceCreator<PredictSlice> = (set, get) => ({
  predictInput: null,
  trueLabel: null,
  prediction: null,
  running: false,
  selectPredictInput: (input) => {
    const previous = get().predictInput;
    const nextUrl = input && input.kind !== 'scene' ? input.url : null;
    if (previous?.kind === 'upload' && previous.url !== nextUrl && previous.url.startsWith('blob:')) {
      URL.revokeObjectURL(previous.url);
    }
    // A prediction belongs to its input: a new input clears it until its own result arrives.
    set({ predictInput: input, prediction: null });
  },
  predictImage: async (raw, label) => {
    const { summary, pushNotice } = get();
    if (!summary) {
      pushNotice({ level: 'warning', title: 'Load a model first', hint: 'Pick a built-in model or open an .onnx file in the bar above.' });
      return;
    }
    const token = ++predictToken;
    set({ running: true, trueLabel: label ?? null, prediction: null });
    try {
      const { prediction } = await getEngine().request({ kind: 'predict', image: raw });
      if (token !== predictToken) return;
      set({ prediction, running: false });
    } catch (err) {
      forgetCrashedEngine(err);
      if (token !== predictToken) return;
      set({ running: false });
      const notice = noticeFromError(err, 'Prediction');
      if (notice) pushNotice(notice);
    }
  },
});
