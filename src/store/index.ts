/**
 * The lab's one store: `useLab` is a zustand hook (`useLab(selector)` in components,
 * `useLab.getState()` elsewhere) composed of the model, view, notice, predict, dataset and exemplar slices.
 */
import { create } from 'zustand';
import type { LabState } from './types';
import { createModelSlice } from './modelSlice';
import { createViewSlice } from './viewSlice';
import { createNoticeSlice } from './noticeSlice';
import { createPredictSlice } from './predictSlice';
import { createDatasetSlice } from './datasetSlice';
import { createExemplarSlice } from './exemplarSlice';

export const useLab = create<LabState>()((...a) => ({
  ...createModelSlice(...a),
  ...createViewSlice(...a),
  ...createNoticeSlice(...a),
  ...createPredictSlice(...a),
  ...createDatasetSlice(...a),
  ...createExemplarSlice(...a),
}));

export type { LabState } from './types';
export type { Notice, NoticeInput, NoticeLevel } from './noticeSlice';
export type { ModelStatus, LoadProgress, FileLike } from './modelSlice';
export type { PredictInput } from './predictSlice';
export type { DatasetStatus, DatasetPageView } from './datasetSlice';
export type { ExemplarIndexStatus, ExemplarIndexSource, GridSort, TryResult } from './exemplarSlice';
export type { ModelSource } from './modelSource';
export type { PanelId } from './panels';
export type { BackendPreference } from './backendPreference';
