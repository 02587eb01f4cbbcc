/**
 * The typed message protocol between the main thread and the engine worker.
 * Every request carries an id; the worker answers with progress events and exactly one
 * `result` or `error` for that id. `cancel` aborts the request with that id.
 * Model requests (exemplar requests among them) run one at a time; dataset requests (openDataset, datasetPage) run one at a time
 * in a lane of their own beside them (see main.ts), so generating scenes never delays a prediction.
 */
import type { ModelSummary, Preprocess, RawImage, RunResult, TensorF32 } from '../engine/types';
import type { IndexProgress } from '../engine/exemplars/indexer';
import type { LayerIndexSnapshot, UnitStats } from '../engine/exemplars/layerIndex';
import type { GridUnit } from '../engine/exemplars/grid';
import type { Association } from '../engine/exemplars/concepts';
import type { BackendInfo, BackendName } from '../engine/runtime/types';
import type { LabErrorCode } from '../engine/errors';
import type { DatasetFilter, DatasetInfo, DatasetItem, FacetCounts } from '../engine/data/datasets';
import type { ImageDatasetInfo, ImagePage, ImagePrep } from '../engine/data/imageDataset';
import type { AttributionRequest, AttributionResult, FeatureVisProgress, FeatureVisRequest, FeatureVisResult } from './gradHost';
import type { UpscaleMetrics, UpscaleSource } from '../engine/upscale/compare';
import type { UpscalerInfo } from '../engine/upscale/upscaler';
import type { CircuitRequest, CircuitResponse } from './circuitProtocol';
import type { CircuitProgress } from '../engine/circuits/types';
import type { AgentProgress, AgentRequest, AgentResponseBody } from './agentProtocol';

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
  /** `preprocess`: another normalisation than the model's (an image dataset's mean/std override). */
  | { kind: 'run'; images: RawImage[]; layers: string[]; maps?: Array<{ layer: string; unit: number }>; preprocess?: Preprocess }
  | { kind: 'releaseModel' }
  /**
   * Generates a built-in dataset in the worker (progress stage "dataset"). `assets` is the absolute
   * address of the folder holding the generator's assets (the page's assets/).
   */
  | { kind: 'openDataset'; id: string; assets?: string }
  /** A page of a built-in dataset's scenes passing `filter`; opens the dataset first if needed. */
  | { kind: 'datasetPage'; id: string; filter: DatasetFilter; offset: number; limit: number; assets?: string }
  /**
   * Indexes a built-in dataset through the loaded model at these layers (per image and unit: the
   * spatial max and mean; per unit: top-k and bottom-k). Progress carries `index`. The indexes
   * stay in the worker keyed by (model sha256, dataset sha256, layer): asking again is instant,
   * and asking again after a cancel resumes where it stopped.
   */
  /**
   * `chunk` indexes at most that many more images and answers (progressive indexing: the page
   * shows partial exemplars between chunks and asks again until every layer's `done` = `count`).
   */
  | { kind: 'indexExemplars'; datasetId: string; layers: string[]; k?: number; chunk?: number; assets?: string }
  /**
   * One unit of an indexed layer: statistics, top-k and bottom-k with images and activation maps,
   * concepts. `partial` accepts a layer still being indexed (the images indexed so far).
   */
  | { kind: 'unitExemplars'; datasetId: string; layer: string; unit: number; k?: number; partial?: boolean; assets?: string }
  /** Every unit of an indexed layer at a glance (best exemplar, sparkline, sparsity, selectivity, concept); `partial` as above. */
  | { kind: 'unitGrid'; datasetId: string; layer: string; partial?: boolean; assets?: string }
  /** A copy of an indexed layer's tables and rankings (for the page's IndexedDB cache). */
  | { kind: 'exportIndex'; datasetId: string; layer: string; assets?: string }
  /** Gives the worker an index from the page's cache; refused unless it fits the open model and dataset. */
  | { kind: 'importIndex'; datasetId: string; modelSha256: string; datasetSha256: string; index: LayerIndexSnapshot; assets?: string }
  /**
   * Opens an image dataset (a local folder or a URL manifest) in the worker: decoded, fitted to
   * `prep` and hashed once (progress stage "dataset"). `source` null re-fits the images the worker
   * already holds for `id` (another fit mode or input size).
   */
  | { kind: 'openImages'; id: string; source: ImageDatasetSource | null; prep: ImagePrep }
  /** Images [offset, offset + limit) of an open image dataset. */
  | { kind: 'imagePage'; id: string; offset: number; limit: number }
  /** An attribution map of one image (gradient × input or integrated gradients); see gradHost.ts. */
  | ({ kind: 'attribution' } & AttributionRequest)
  /** Feature visualisation of a unit (progress carries `featvis`); see gradHost.ts. */
  | ({ kind: 'featureVis' } & FeatureVisRequest)
  /** Opens an upscaler in a session of its own (the loaded model stays); replaces the previous upscaler. */
  | { kind: 'openUpscaler'; name: string; bytes: Uint8Array }
  /** A whole image through the open upscaler, tiled (progress stage "upscale", per tile), with bicubic and metrics. */
  | { kind: 'upscale'; source: UpscaleSource; tile?: number; overlap?: number }
  /**
   * One video frame in one run (webcam). An ImageBitmap is moved to the worker and closed there;
   * `reuse` is the previous result's buffer, handed back so frames do not allocate.
   */
  | { kind: 'upscaleFrame'; frame: RawImage | ImageBitmap; reuse?: Uint8ClampedArray }
  /**
   * Hands the worker a canvas (moved, from `transferControlToOffscreen`) for GPU-resident frames:
   * on WebGPU, later frames are drawn there and never read back. null detaches it.
   */
  | { kind: 'attachFrameCanvas'; canvas: OffscreenCanvas | null }
  | { kind: 'releaseUpscaler' }
  /** Circuits: discovery, the edit list, edit checks (see ./circuitProtocol). */
  | CircuitRequest
  | AgentRequest;

/**
 * Where an image dataset's files come from: files of a folder (File objects: posting one passes a
 * reference, the bytes are read once in the worker) with paths relative to the folder, or the
 * absolute address of a JSON manifest the worker fetches.
 */
export type ImageDatasetSource =
  | { kind: 'folder'; name: string; files: Array<{ path: string; file: Blob }> }
  | { kind: 'manifest'; url: string };

/** What a scene exemplar is, for concept labels and box overlap. */
export interface ExemplarFacets {
  class: string;
  color: string;
  texture: string;
  background: string;
  /** Half-open item box [x0, y0, x1, y1) in image pixels; null when the item is not visible. */
  bbox: [number, number, number, number] | null;
}

export interface ExemplarItem {
  /** Position in the dataset. */
  index: number;
  /** The unit's spatial max on this image (the ranking score). */
  value: number;
  image: RawImage;
  /** The unit's activation map on this image, dims [h, w]; null for layers without a spatial map. */
  map: TensorF32 | null;
  /** Token layers with a class token: the unit's value there, shown apart from the patch map. */
  classToken?: number[];
  facets: ExemplarFacets | null;
}

export interface UnitExemplars {
  modelSha256: string;
  datasetSha256: string;
  layer: string;
  unit: number;
  /** Images indexed when this was computed, of `count`: done < count is a partial view (indexing goes on). */
  done: number;
  count: number;
  /** Statistics of the per-image max over the dataset (histogram: 32 bins). */
  stats: UnitStats;
  top: ExemplarItem[];
  bottom: ExemplarItem[];
  /** Attribute values over-represented among the top exemplars, strongest first (at most 12). */
  concepts: Association[];
  /** The labels that pass the label rule (at most one per attribute). */
  labels: Association[];
  /** Mean IoU of the top exemplars' regions (map > 0.5 × its max) with the item box; null without maps or boxes. */
  iou: number | null;
  /** The automatic first description line, e.g. "red · sneaker · stripes (IoU 0.41)". */
  description: string;
}

export interface GridEntry extends GridUnit {
  /** The unit's automatic label (no IoU), or null when no attribute stands out. */
  label: string | null;
  /** z of the strongest attribute association among its top-k (a sort key). */
  conceptZ: number;
}

export interface UpscaleResult {
  /** The low-resolution input that ran (the downscaled ground truth when only that was given). */
  input: RawImage;
  /** RGBA, s× the input. */
  output: RawImage;
  /** The input resized s× with bicubic (Pillow), for comparison. */
  bicubic: RawImage;
  truth: RawImage | null;
  metrics: UpscaleMetrics | null;
  tiles: number;
  tile: number;
  overlap: number;
  /** Model time over all tiles (ms), without bicubic and metrics. */
  ms: number;
}

export interface IndexedLayer {
  layer: string;
  channels: number;
  count: number;
  done: number;
  k: number;
}

export type EngineResponseBody =
  | { kind: 'configure'; ok: true }
  | { kind: 'loadModel'; summary: ModelSummary; backend: BackendInfo }
  | { kind: 'predict'; prediction: Prediction }
  | { kind: 'run'; result: RunResult }
  | { kind: 'releaseModel'; ok: true }
  | { kind: 'openDataset'; info: DatasetInfo }
  | { kind: 'datasetPage'; total: number; offset: number; items: DatasetItem[]; counts: FacetCounts }
  | {
      kind: 'indexExemplars';
      modelSha256: string;
      datasetSha256: string;
      layers: IndexedLayer[];
      /** Images that could not be read (always empty for the built-in scenes). */
      skipped: number[];
      /** Where this request started (0 fresh; >0 resumed; count when it was indexed already). */
      resumedFrom: number;
      /** True when every layer was indexed already (nothing ran). */
      instant: boolean;
      ms: number;
    }
  | { kind: 'unitExemplars'; exemplars: UnitExemplars }
  | { kind: 'unitGrid'; layer: string; done: number; count: number; units: GridEntry[]; thumbs: Array<{ index: number; image: RawImage }> }
  | { kind: 'exportIndex'; modelSha256: string; datasetSha256: string; index: LayerIndexSnapshot }
  | { kind: 'importIndex'; layer: IndexedLayer }
  | { kind: 'openImages'; info: ImageDatasetInfo }
  | ({ kind: 'imagePage' } & ImagePage)
  | { kind: 'attribution'; result: AttributionResult }
  | { kind: 'featureVis'; result: FeatureVisResult }
  | { kind: 'openUpscaler'; info: UpscalerInfo }
  | { kind: 'upscale'; result: UpscaleResult }
  /**
   * `ms`: the worker's time for this frame (pixels in, model, pixels out). "cpu": the RGBA result
   * (`gpuProblem`: why the GPU-resident path just stopped, when it did); "gpu": drawn on the canvas.
   */
  | { kind: 'upscaleFrame'; path: 'cpu'; image: RawImage; ms: number; gpuProblem?: string }
  | { kind: 'upscaleFrame'; path: 'gpu'; width: number; height: number; ms: number }
  /** Whether frames will stay on the GPU, and if not (with a canvas given), why. */
  | { kind: 'attachFrameCanvas'; path: 'gpu' | 'cpu'; reason: string | null }
  | { kind: 'releaseUpscaler'; ok: true }
  | CircuitResponse
  | AgentResponseBody;

export interface Progress {
  /** A short stage name ("parse", "dry-run", "session", "run"). */
  stage: string;
  /** 0..1 when known. */
  fraction: number | null;
  message: string;
  /** While indexing: images done, total, rate and ETA. */
  index?: IndexProgress;
  /** While upscaling: tiles done and in all. */
  tiles?: { done: number; total: number };
  /** While visualising a unit: the step, the objective per sample, now and then the images. */
  featvis?: FeatureVisProgress;
  /** While discovering a circuit: the stage and its steps. */
  circuit?: CircuitProgress;
  /** While an agent runs: one event of the run (see agentProtocol.ts). */
  agent?: AgentProgress;
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
