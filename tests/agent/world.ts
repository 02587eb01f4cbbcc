/** The built-in world for agent tests: scenes-balanced, the first scenes of scenes-test, and a tool context over them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageStore } from '../../src/engine/agent/imageStore';
import { indexingExemplars } from '../../src/engine/agent/tools/exemplarSource';
import type { ToolContext } from '../../src/engine/agent/tools';
import type { AgentSubject } from '../../src/engine/agent/types';
import { loadBanks, openDataset, type SceneDataset } from '../../src/engine/data/datasets';
import { LoadedModel } from '../../src/engine/lab/loadedModel';
import { nodeRuntime } from '../../src/engine/runtime/node';
import type { SynthBanks } from '../../src/engine/synth/banks';
import { REPO_ROOT } from '../setup/fixturePaths';

export interface World {
  model: LoadedModel;
  banks: SynthBanks;
  dataset: SceneDataset;
  /** Tensor name of a layer label. */
  tensor(label: string): string;
  ctx(subject: AgentSubject, seed?: number): ToolContext;
}

export async function openWorld(count = 1500): Promise<World> {
  const banks = await loadBanks(async (n) => new Uint8Array(readFileSync(join(REPO_ROOT, 'assets', n))));
  const dataset = await openDataset('scenes-test', banks, { count });
  const model = await LoadedModel.open(nodeRuntime(), new Uint8Array(readFileSync(join(REPO_ROOT, 'models/scenes-balanced.onnx'))), 'scenes-balanced');
  const exemplars = indexingExemplars(model, dataset);
  return {
    model,
    banks,
    dataset,
    tensor: (label) => model.summary.layers.find((l) => l.label === label)!.tensor,
    ctx: (subject, seed = 1) => ({ model, subject, banks, dataset, exemplars, images: new ImageStore(), seed }),
  };
}
