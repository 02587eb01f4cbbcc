/**
 * PyTorch autograd references for the backward graphs, made by tests/fixtures/make_gradients.py
 * into tests/.fixtures/ (see that script for the targets and the input recipe).
 */
import { readFileSync } from 'node:fs';
import { SMALL_FIXTURES, fixturePath } from '../setup/fixturePaths';

/** Models with gradient references; keep in sync with NAMES in make_gradients.py. */
export const GRADIENT_MODELS = [
  'resnet18',
  'mobilenet_v3_small',
  'efficientnet_b0',
  'squeezenet1_0',
  'densenet121',
  'googlenet',
  'placeholder-fmnist',
  ...SMALL_FIXTURES,
] as const;
export type GradientModelName = (typeof GRADIENT_MODELS)[number];

/** The files the Vitest global setup expects (the json is written last by the script). */
export const GRADIENT_FILES: string[] = GRADIENT_MODELS.map((n) => `${n}.grad.json`);

export interface GradientRefWrt {
  /** 'input' or an ONNX tensor name. */
  name: string;
  file: string;
  shape: number[];
  l2: number;
  maxAbs: number;
  first64: number[];
}

export interface GradientRefCase {
  /** 'token': a unit of a token layer [N,T,C] (a channel, over the patch tokens). */
  id: 'logit' | 'unit' | 'token';
  target:
    | { kind: 'logit'; index: number }
    | { kind: 'unit'; tensor: string; unit: number; reduce: 'mean' | 'sum'; tokens?: { prefix: number; grid: [number, number] } };
  targetValue: number;
  wrt: GradientRefWrt[];
  module?: string;
}

/** A kink op's input within the kink window in torch's forward (make_gradients.py). */
export interface KinkRef {
  tensor: string;
  /** Flat index into the tensor (batch 1). */
  index: number;
  /** torch's value there. */
  value: number;
  /** The input value where the op's derivative jumps. */
  kink: number;
  op: string;
}

/** A MaxPool window whose largest values nearly tie in torch's forward. */
export interface TieRef {
  tensor: string;
  /** Flat indices (batch 1) of the window's near-maximal elements, ascending (scan order). */
  indices: number[];
  /** torch's values there. */
  values: number[];
  /** The flat index torch's MaxPool picked. */
  chosen: number;
}

export interface GradientRef {
  /** Path of the ONNX model relative to the repository root. */
  model: string;
  input: { name: string; recipe: 'sin'; shape: number[] };
  cases: GradientRefCase[];
  /** Kink op input tensor → the absolute distance within which kinks and ties were listed. */
  windows: Record<string, number>;
  kinks: KinkRef[];
  ties: TieRef[];
  torch: string;
}

export function readGradientRef(name: GradientModelName): GradientRef {
  return JSON.parse(readFileSync(fixturePath(`${name}.grad.json`), 'utf8')) as GradientRef;
}

export function readGradient(wrt: GradientRefWrt): Float32Array {
  const buf = readFileSync(fixturePath(wrt.file));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
