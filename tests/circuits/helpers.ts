/** Shared setup of the circuit tests: the built-in scene model and the first scenes of scenes-test. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBanks, openDataset, type SceneDataset } from '../../src/engine/data/datasets';
import type { CircuitSpec } from '../../src/engine/circuits/types';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { REPO_ROOT } from '../setup/fixturePaths';

export const runtime = nodeRuntime();

export async function openScenesModel(file = 'models/scenes-balanced.onnx'): Promise<LoadedModel> {
  return LoadedModel.open(runtime, new Uint8Array(readFileSync(join(REPO_ROOT, file))), file.split('/').pop()!, { session: { threads: 2 } });
}

export async function openScenes(): Promise<SceneDataset> {
  const banks = await loadBanks(async (name) => new Uint8Array(readFileSync(join(REPO_ROOT, 'assets', name))));
  return openDataset('scenes-test', banks);
}

export function spec(over: Partial<CircuitSpec> = {}): CircuitSpec {
  return {
    concept: { kind: 'filter', filter: { class: 'coat' } },
    contrast: { kind: 'rest' },
    examples: 4,
    heldOut: 4,
    target: { kind: 'logit', index: 4 },
    layers: [],
    k: 3,
    method: 'cla',
    reduce: 'mean',
    ablation: 'zero',
    random: 3,
    seed: 7,
    ...over,
  };
}
