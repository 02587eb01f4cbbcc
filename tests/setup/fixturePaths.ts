/**
 * Where the torchvision ONNX fixtures live and how to rebuild their inputs.
 * The files are made by tests/fixtures/make_torchvision.py (run by tests/setup/fixtures.ts, the
 * Vitest globalSetup) into tests/.fixtures/, which is gitignored.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is tests/setup/fixturePaths.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Folder holding the generated fixtures. */
export const FIXTURE_DIR = join(REPO_ROOT, 'tests', '.fixtures');

/**
 * 64-px exports of the architectures with reductions, token layers and attention (ShuffleNetV2,
 * MNASNet, ConvNeXt-T, and small ViT/Swin/MaxViT configs of torchvision's classes).
 */
export const SMALL_FIXTURES = ['shufflenet_v2_x0_5', 'mnasnet0_5', 'convnext_tiny', 'vit_mini', 'swin_mini', 'maxvit_mini'] as const;

/** Fixture model names; each has `<name>.onnx` and `<name>.ref.json`. Keep in sync with MODELS in make_torchvision.py. */
export const TORCHVISION_FIXTURES = [
  'resnet18',
  'mobilenet_v3_small',
  'efficientnet_b0',
  'squeezenet1_0',
  'densenet121',
  'googlenet',
  'no_image_input',
  ...SMALL_FIXTURES,
] as const;

export type TorchvisionFixture = (typeof TORCHVISION_FIXTURES)[number];

/** Every file the fixture script is expected to produce. */
export const FIXTURE_FILES: string[] = TORCHVISION_FIXTURES.flatMap((n) => [`${n}.onnx`, `${n}.ref.json`]);

/** Absolute path of a fixture file, e.g. fixturePath('resnet18.onnx'). */
export function fixturePath(name: string): string {
  return join(FIXTURE_DIR, name);
}

/** Contents of `<name>.ref.json`: the torch reference for the deterministic input. */
export interface FixtureRef {
  model: string;
  torch: string;
  torchvision: string;
  opset: number;
  seed: number;
  input: { name: string; recipe: 'sin'; shape: number[]; formula: string };
  output: { name: string; shape: number[] };
  /** First 10 values of the flattened torch output for sinInput(input.shape). */
  logits10: number[];
  parameters: number;
  ops: string[];
  nodes: number;
}

export function readFixtureRef(name: TorchvisionFixture): FixtureRef {
  return JSON.parse(readFileSync(fixturePath(`${name}.ref.json`), 'utf8')) as FixtureRef;
}

/**
 * The "sin" input recipe: value[i] = float32(sin(0.001 * i)) over the flattened row-major index,
 * computed in double precision and rounded to float32 once (as numpy does in the Python script).
 */
export function sinInput(shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(0.001 * i);
  return out;
}
