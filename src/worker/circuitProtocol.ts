/**
 * The circuits part of the worker protocol (composed into EngineRequest/EngineResponseBody in
 * ./protocol): discover a circuit from a concept, set the edit list every run applies, and check
 * what the edits do to the held-out examples. The host is ./circuitHost.
 */
import type { Circuit, CircuitEdit, CircuitSpec } from '../engine/circuits/types';
import type { RawImage, TensorF32 } from '../engine/types';

export type CircuitRequest =
  /**
   * Resolves the spec's concept in the worker (a filter of the open built-in dataset `datasetId`,
   * prompts through the scene generator, or `images` for uploads), discovers the circuit on the
   * unedited model, and draws each node's thumbnail. Progress carries `circuit`.
   */
  | {
      kind: 'discoverCircuit';
      spec: CircuitSpec;
      datasetId: string;
      assets?: string;
      images?: RawImage[];
      /**
       * The spec's target is the default: the concept filter's class when the model names it, else
       * the model's top class on the discovery examples (the circuit's spec then names it).
       */
      autoTarget?: boolean;
      /** Also run the other method along the circuit and report where the two agree. */
      compare?: boolean;
    }
  /** The layers a circuit spans by default on the loaded model. */
  | { kind: 'circuitLayers' }
  /** The edit list every later run applies (predictions, runs, attributions); [] restores the model. */
  | { kind: 'setEdits'; edits: CircuitEdit[] }
  /** The last circuit's held-out examples through the model without and with the edits. */
  | { kind: 'checkEdits' };

/**
 * A node's thumbnail: the unit's top dataset exemplar when its layer is indexed (complete) over the
 * open built-in dataset, else the discovery example that drives it most; with its activation map there.
 */
export interface CircuitThumb {
  /** layout.ts's node id (`${layer}#${unit}`). */
  id: string;
  /** Where the picture comes from: the layer's exemplar index, or the concept's discovery examples. */
  source: 'exemplar' | 'concept';
  /** Index into the discovery examples ('concept'), or into the dataset ('exemplar'). */
  example: number;
  /** The unit's spatial mean on that example ('concept'), or its exemplar score, the spatial max ('exemplar'). */
  value: number;
  /** The exemplar's image ('exemplar' only; a concept thumbnail's image is discovery[example]). */
  image?: RawImage;
  /** dims [h, w]; null for layers without a spatial map. */
  map: TensorF32 | null;
}

/** How a set of images fares through one model. */
export interface HeldOutEval {
  /** Top class per image. */
  predicted: number[];
  /** Share of images whose top class is their label. */
  accuracy: number;
  /** Mean logit of the circuit's target class (logit targets only). */
  targetLogit: number | null;
}

export type CircuitResponse =
  | {
      kind: 'discoverCircuit';
      circuit: Circuit;
      discovery: RawImage[];
      heldOut: RawImage[];
      /** True class of each held-out image where known. */
      heldOutLabels: number[] | null;
      thumbs: CircuitThumb[];
    }
  | { kind: 'circuitLayers'; modelSha256: string; layers: string[] }
  | { kind: 'setEdits'; count: number; sha256: string | null }
  | { kind: 'checkEdits'; labels: number[]; base: HeldOutEval; edited: HeldOutEval | null; edits: number };

