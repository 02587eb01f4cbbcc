/**
 * Shared shapes that cross module boundaries: engine ⇄ worker ⇄ store ⇄ CLI.
 * Plain data only (structured-clone safe), so the same values travel over postMessage and JSON.
 */

/** A float32 tensor as the engine hands it around. */
export interface TensorF32 {
  dims: number[];
  data: Float32Array;
}

/** How raw RGB pixels become the model's input tensor. */
export interface Preprocess {
  /** Target [height, width] the image is resized to. */
  size: [number, number];
  /** Per-channel mean and std applied after dividing by 255 (RGB order). */
  mean: [number, number, number];
  std: [number, number, number];
  /** Where the values came from: the model's metadata, the ImageNet default, or a user override. */
  source: 'metadata' | 'imagenet-default' | 'override';
}

/** The model input that takes images: NCHW float with 3 channels. */
export interface ImageInput {
  name: string;
  channels: number;
  height: number | null;
  width: number | null;
}

/**
 * The tokens of a transformer's [N, T, C] layer: `prefix` leading tokens (a class token) and then
 * the patches, row-major over a grid of the image's aspect (see onnx/tokens.ts).
 */
export interface TokenLayout {
  /** Leading non-patch tokens (1 for a class token). */
  prefix: number;
  /** The patch grid [rows, columns]. */
  grid: [number, number];
}

/**
 * One probe-able layer: a graph tensor with a channel axis (axis 1 of an NCHW or NC tensor, axis 2
 * of an [N, T, C] token layer).
 */
export interface Layer {
  /** Tensor name in the graph: the stable identifier used by probes, masks and URLs. */
  tensor: string;
  /** Friendly name derived from the producing node ("layer1.0.conv1"). */
  label: string;
  /** Op type of the producing node. */
  op: string;
  /** Channel count (size of axis 1; of axis 2 for a token layer). */
  channels: number;
  /** Shape at batch size 1, from a dry run. */
  shape: number[];
  /** Token layers only: how the tokens map onto the image (the patches are each unit's map). */
  tokens?: TokenLayout;
}

export interface IoInfo {
  name: string;
  /** Dimensions; symbolic dims are strings, unknown dims null. */
  shape: Array<number | string | null>;
  type: string;
}

/** What `lab inspect` prints and what the model bar shows. */
export interface ModelSummary {
  name: string;
  /** sha256 of the ONNX bytes (hex): the model's identity for caches and URLs. */
  sha256: string;
  bytes: number;
  producer: string;
  opset: number;
  inputs: IoInfo[];
  outputs: IoInfo[];
  imageInput: ImageInput;
  /** Op type -> number of nodes. */
  ops: Record<string, number>;
  /** Number of scalar weights in initializers. */
  parameters: number;
  layers: Layer[];
  preprocess: Preprocess;
  /** Class names from metadata, when the model ships them. */
  labels: string[] | null;
}

/** Per-layer per-channel statistics of one run: [N, C] row-major. */
export interface LayerStats {
  max: TensorF32;
  mean: TensorF32;
}

/** What `lab run` prints per image batch. */
export interface RunResult {
  logits: TensorF32;
  stats: Record<string, LayerStats>;
  /** Full activation maps for requested units: key `${layer}#${unit}`, dims [N, H, W]. */
  maps: Record<string, TensorF32>;
  /** Token layers with a class token: the mapped unit on the leading tokens, same keys, dims [N, prefix]. */
  classTokens?: Record<string, TensorF32>;
}

/** An RGB image as packed bytes (RGB or RGBA), as decoders produce it. */
export interface RawImage {
  width: number;
  height: number;
  /** 3 (RGB) or 4 (RGBA; alpha ignored). */
  channels: 3 | 4;
  data: Uint8Array | Uint8ClampedArray;
}
