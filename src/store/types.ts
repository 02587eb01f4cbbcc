/** The store's full state: the union of its slices, and the creator type each slice uses. */
import type { StateCreator } from 'zustand';
import type { ModelSlice } from './modelSlice';
import type { ViewSlice } from './viewSlice';
import type { NoticeSlice } from './noticeSlice';
import type { PredictSlice } from './predictSlice';
import type { DatasetSlice } from './datasetSlice';
import type { ExemplarSlice } from './exemplarSlice';
import type { GradSlice } from './gradSlice';
import type { UpscaleSlice } from './upscaleSlice';
import type { ShareSlice } from './shareSlice';
import type { CircuitSlice } from './circuitSlice';
import type { AgentSlice } from './agentSlice';

export type LabState = ModelSlice & ViewSlice & NoticeSlice & PredictSlice & DatasetSlice & ExemplarSlice & GradSlice & UpscaleSlice & CircuitSlice & AgentSlice & ShareSlice;

export type SliceCreator<T> = StateCreator<LabState, [], [], T>;
