/**
 * The shapes of circuit discovery (CLA, ablation), causal tests and edits: the one contract shared
 * by the engine (./), the worker's circuit host, the store's circuit slice, the link codec, the
 * panel and `lab circuit`. A circuit is data: a CircuitSpec in, a Circuit (`lab.circuit/1`) out.
 * Plain data only (structured-clone and JSON safe).
 */
import type { DatasetFilter } from '../data/datasets';

/** Where a concept's example images come from. */
export type ConceptSource =
  /** Scenes of the open built-in dataset passing a filter (the Dataset card's filters). */
  | { kind: 'filter'; filter: DatasetFilter }
  /** Text prompts drawn by the scene generator (sceneFromText), one scene per prompt and seed. */
  | { kind: 'prompts'; prompts: string[] }
  /** Images supplied by the caller (uploads, pastes): they travel beside the spec, not in it. */
  | { kind: 'images'; count: number };

/** The contrast set: another filter, or the rest of the dataset (the scenes the concept's filter leaves out). */
export type ContrastSource = { kind: 'filter'; filter: DatasetFilter } | { kind: 'rest' };

/** What the circuit explains. */
export type CircuitTarget =
  | { kind: 'logit'; index: number }
  | { kind: 'unit'; layer: string; unit: number }
  /** The concept's most selective units of the last circuit layer (examples vs contrast), `count` of them. */
  | { kind: 'selective'; count: number };

export type CircuitMethod = 'cla' | 'ablation';
/** How an upper unit's map becomes the scalar a_n(x): spatial mean (default) or max. */
export type CircuitReduce = 'mean' | 'max';
/** Ablation: set the unit to 0, or to its mean over the contrast/dataset images. */
export type AblationMode = 'zero' | 'mean';

/** Everything that determines a circuit: the link's state, the CLI's flags, the file's payload. */
export interface CircuitSpec {
  concept: ConceptSource;
  contrast?: ContrastSource;
  /** Discovery examples (default 16, at most 64). */
  examples: number;
  /** Held-out examples of the same source for the causal tests (default = examples). */
  heldOut: number;
  target: CircuitTarget;
  /** Layer tensor names, from input to output. */
  layers: string[];
  /** Units kept per layer (default 5). */
  k: number;
  method: CircuitMethod;
  reduce: CircuitReduce;
  ablation: AblationMode;
  /** Random baseline circuits for the causal tests (default 20; 0 skips them). */
  random: number;
  seed: number;
}

export interface UnitRef {
  layer: string;
  unit: number;
}

export interface CircuitNode extends UnitRef {
  /** Sum of the unit's edge weights to the kept units (or target) above. */
  score: number;
  /** Index (into the discovery examples) of the example that drives the unit most. */
  topExample?: number;
}

export interface CircuitEdge {
  from: UnitRef;
  /** A unit of the layer above, or the logit target. */
  to: UnitRef | { logit: number };
  weight: number;
}

/** One causal test against random circuits of the same size per layer. */
export interface CausalTest {
  /** Drop in held-out accuracy of the target class (necessity/sufficiency), or on other classes (specificity). */
  effect: number;
  /** Drop in the target logit (mean over held-out images). */
  logitDrop?: number;
  randomMean: number;
  randomSd: number;
  z: number;
  /** Empirical p: (1 + #random ≥ effect) / (1 + random). */
  p: number;
  /** Random circuits measured (0: `random` was 0, so randomMean/randomSd/z are 0 and p is 1). */
  n?: number;
}

/** One point of the accuracy-vs-k curve: the circuit's top k units per layer ablated, against random ones. */
export interface CurvePoint {
  k: number;
  /** Held-out accuracy with the circuit's top-k units per layer ablated. */
  circuit: number;
  /** Mean (sd) held-out accuracy with k random units per layer ablated (up to 5 random circuits). */
  randomMean: number;
  randomSd: number;
}

export interface CausalResults {
  necessity: CausalTest;
  sufficiency: CausalTest;
  specificity: CausalTest;
}

/** `lab.circuit/1`: the circuit as the CLI writes it, the panel draws it and a file carries it. */
export interface Circuit {
  schema: 'lab.circuit/1';
  model: { name: string; sha256: string };
  dataset?: { id: string; sha256?: string };
  spec: CircuitSpec;
  /** The target as resolved (a 'selective' target becomes the units it chose). */
  target: CircuitTarget | { kind: 'units'; units: UnitRef[] };
  layers: string[];
  nodes: CircuitNode[];
  edges: CircuitEdge[];
  /** Dataset indices of the discovery and held-out examples (filter concepts). */
  examples?: { discovery: number[]; heldOut: number[] };
  causal?: CausalResults;
  /** Held-out accuracy of the unedited model (the causal drops are measured from it). */
  cleanAccuracy?: number;
  /** Accuracy against k (held-out, circuit's top k per layer ablated vs random). */
  curve?: CurvePoint[];
  /** When both methods ran: per layer, overlap of kept units and rank correlation of edge weights. */
  agreement?: Array<{ layer: string; overlap: number; spearman: number }>;
  ms: number;
}

/** An edit applied to every run of the model (store list; part of the link). */
export type CircuitEdit =
  /** Scale a unit's channel (0 = ablate), through the mask inputs. */
  | { kind: 'unit'; layer: string; unit: number; scale: number }
  /** Prune the edge between two layers joined by one Conv by zeroing that weight slice. */
  | { kind: 'edge'; from: UnitRef; to: UnitRef };

export interface CircuitProgress {
  stage: 'examples' | 'discovery' | 'baselines' | 'causal';
  done: number;
  total: number;
}

/** Example images, already chosen and split (the caller resolves the ConceptSource). */
export interface CircuitImages {
  discovery: import('../types').RawImage[];
  heldOut: import('../types').RawImage[];
  /** Contrast images (selective targets, mean ablation); may be empty. */
  contrast: import('../types').RawImage[];
  /** True class of each held-out image where known (accuracy), else the target logit's class. */
  heldOutLabels?: number[];
  /** True class of each contrast image where known (specificity), else the model's clean prediction. */
  contrastLabels?: number[];
  /** Dataset indices of discovery and held-out images, copied into Circuit.examples. */
  indices?: { discovery: number[]; heldOut: number[] };
}

/**
 * The engine entry both the worker's circuit host and `lab circuit` call (src/engine/circuits/index.ts):
 *   discoverCircuit(runtime: Runtime, model: LoadedModel, spec: CircuitSpec, images: CircuitImages,
 *                   options: CircuitRunOptions): Promise<Circuit>
 * and, for edits applied to every run:
 *   applyEdits(model: Model, edits: CircuitEdit[], shapes): Model
 */
export interface CircuitRunOptions {
  signal?: AbortSignal;
  onProgress?: (p: CircuitProgress) => void;
  /** Batch size for forward/backward runs (default 16). */
  batch?: number;
  dataset?: { id: string; sha256?: string };
  /** Also run the other method along the circuit's chain and report `agreement` (overlap, Spearman). */
  compare?: boolean;
  /** Session options for the gradient and masked sessions (threads, backends). */
  session?: import('../runtime/types').SessionOptions;
}
