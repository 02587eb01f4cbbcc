/**
 * The typed message protocol between the main thread and the engine worker.
 * Every request carries an id; the worker answers with progress events and exactly one
 * `result` or `error` for that id. `cancel` aborts the request with that id.
 * Model requests run one at a time; dataset requests (openDataset, datasetPage) run one at a time
 * in a lane of their own beside them (see main.ts), so generating scenes never delays a prediction.
 */
import type { ModelSummary, RawImage, RunResult } from '../engine/types';
import type { BackendInfo, BackendName } from '../engine/runtime/types';
import type { LabErrorCode } from '../engine/errors';
import type { DatasetFilter, DatasetInfo, DatasetItem, FacetCounts } from '../engine/data/datasets';

export interface Prediction {
  /** Softmax over the logits of the first image. */
  probabilities: number[];
  /** Indices sorted by probability, best first (top 5). */
  top: Array<{ index: number; label: string; probability: number }>;
  logits: number[];
  ms: number;
}

export type EngineRequest =
  | { kind: 'configure'; prefer: BackendName[]; threads?: number }
  | { kind: 'loadModel'; name: string; bytes: Uint8Array }
  | { kind: 'predict'; image: RawImage }
  | { kind: 'run'; images: RawImage[]; layers: string[]; maps?: Array<{ layer: string; unit: number }> }
  | { kind: 'releaseModel' }
  /**
   * Generates a built-in dataset in the worker (progress stage "dataset"). `assets` is the absolute
   * address of the folder holding the generator's assets (the page's assets/).
   */
  | { kind: 'openDataset'; id: string; assets?: string }
  /** A page of a built-in dataset's scenes passing `filter`; opens the dataset first if needed. */
  | { kind: 'datasetPage'; id: string; filter: DatasetFilter; offset: number; limit: number; assets?: string };

export type EngineResponseBody =
  | { kind: 'configure'; ok: true }
  | { kind: 'loadModel'; summary: ModelSummary; backend: BackendInfo }
  | { kind: 'predict'; prediction: Prediction }
  | { kind: 'run'; result: RunResult }
  | { kind: 'releaseModel'; ok: true }
  | { kind: 'openDataset'; info: DatasetInfo }
  | { kind: 'datasetPage'; total: number; offset: number; items: DatasetItem[]; counts: FacetCounts };

export interface Progress {
  /** A short stage name ("parse", "dry-run", "session", "run"). */
  stage: string;
  /** 0..1 when known. */
  fraction: number | null;
  message: string;
}

/** Error categories the UI maps to guidance for the user. */
export type EngineErrorCode = LabErrorCode;

export type ToWorker =
  | { type: 'request'; id: number; request: EngineRequest }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'result'; id: number; body: EngineResponseBody }
  | { type: 'error'; id: number; code: EngineErrorCode; message: string };

/** The largest ONNX file the lab will open in a tab (bytes). */
export const MAX_MODEL_BYTES = 256 * 1024 * 1024;
