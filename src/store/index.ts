/**
 * The lab's one store: `useLab` is a zustand hook (`useLab(selector)` in components,
 * `useLab.getState()` elsewhere) composed of the model, view, notice, predict, dataset, exemplar, gradient, upscale and circuit slices.
 */
import { create } from 'zustand';
import type { LabState } from './types';
import { createModelSlice } from './modelSlice';
import { createViewSlice } from './viewSlice';
import { createNoticeSlice } from './noticeSlice';
import { createPredictSlice } from './predictSlice';
import { createDatasetSlice } from './datasetSlice';
import { createExemplarSlice } from './exemplarSlice';
import { createGradSlice } from './gradSlice';
import { createUpscaleSlice } from './upscaleSlice';
import { createShareSlice } from './shareSlice';
import { createCircuitSlice } from './circuitSlice';
import { createAgentSlice } from './agentSlice';

export const useLab = create<LabState>()((...a) => ({
  ...createModelSlice(...a),
  ...createViewSlice(...a),
  ...createNoticeSlice(...a),
  ...createPredictSlice(...a),
  ...createDatasetSlice(...a),
  ...createExemplarSlice(...a),
  ...createGradSlice(...a),
  ...createUpscaleSlice(...a),
  ...createShareSlice(...a),
  ...createCircuitSlice(...a),
  ...createAgentSlice(...a),
}));

export type { LabState } from './types';
export type { Notice, NoticeInput, NoticeLevel } from './noticeSlice';
export type { ModelStatus, LoadProgress, FileLike } from './modelSlice';
export type { PredictInput } from './predictSlice';
export type { DatasetStatus, DatasetPageView } from './datasetSlice';
export type { ExemplarIndexStatus, ExemplarIndexSource, GridSort, TryResult } from './exemplarSlice';
export type { AttributionImage, AttributionSettings, AttributionView, FeatureVisStatus } from './gradSlice';
export type { UpscaleInput, UpscaleMode, UpscalerStatus, WebcamSize } from './upscaleSlice';
export type { AgentRunView, AgentRunPhase } from './agentSlice';
export type { ModelSource } from './modelSource';
export type { CircuitDraft, CircuitStatus, CircuitExamples, CircuitCheck, EditsState } from './circuitSlice';
export type { PanelId } from './panels';
export type { BackendPreference } from './backendPreference';
