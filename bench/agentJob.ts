/**
 * One agent measurement, the same code under onnxruntime-node and in a browser worker
 * (bench/browser/agentWorker.ts, as the app's engine worker runs the agent): tool latency —
 * call_unit on 10 images, text2image of 10 prompts, edit_images of 10 (one scene × 10
 * instructions) — each against the bare probed model run on the same 10 images (the baseline
 * every tool pays, measured in the same rounds), then an offline-agent run on one unit of the
 * built-in model: indexing the layer (the first dataset_exemplars call) and the run with the index.
 */
import { createOfflineClient } from '../src/engine/agent/clients/offline';
import { ImageStore } from '../src/engine/agent/imageStore';
import { AgentRun } from '../src/engine/agent/loop';
import { runTool, type ToolContext } from '../src/engine/agent/tools';
import { indexingExemplars } from '../src/engine/agent/tools/exemplarSource';
import { loadBanks, openDataset, type AssetRead } from '../src/engine/data/datasets';
import { LoadedModel } from '../src/engine/lab/loadedModel';
import type { Runtime } from '../src/engine/runtime/types';
import { timeInterleaved } from './timing';

export interface AgentJob {
  modelUrl: string;
  layerLabel: string;
  unit: number;
  /** Scenes of the dataset the agent's exemplars come from. */
  count: number;
  threads: number;
  rounds: number;
}

export interface AgentJobResult {
  backend: string;
  threads: number;
  medians: { bare: number; callUnit: number; text2image: number; editImages: number };
  datasetMs: number;
  indexMs: number;
  runMs: number;
  rounds: number;
  toolCalls: number;
  label: string | null;
}

const PROMPTS = ['red trousers', 'blue bag on grass', 'striped dress', 'dotted coat on sky', 'green sneaker', 'pink shirt on a solid background', 'checked pullover', 'white sandal on rock', 'yellow t-shirt on flowers', 'small gray ankle boot, left'];
const INSTRUCTIONS = ['make it blue', 'add stripes', 'make it a bag', 'replace the background with grass', 'make the item smaller', 'move it left', 'cover the top half', 'add noise', 'flip', 'grayscale'];

export async function runAgentJob(runtime: Runtime, modelBytes: Uint8Array, read: AssetRead, job: AgentJob): Promise<AgentJobResult> {
  let t0 = performance.now();
  const banks = await loadBanks(read);
  const dataset = await openDataset('scenes-test', banks, { count: job.count });
  const datasetMs = performance.now() - t0;
  const model = await LoadedModel.open(runtime, modelBytes, job.modelUrl, { session: { prefer: ['wasm', 'cpu'], threads: job.threads } });
  try {
    const layer = model.summary.layers.find((l) => l.label === job.layerLabel)?.tensor;
    if (!layer) throw new Error(`No layer ${job.layerLabel} in ${job.modelUrl}.`);
    const subject = { kind: 'unit' as const, layer, unit: job.unit };
    const exemplars = indexingExemplars(model, dataset);
    const fresh = (): ToolContext => ({ model, subject, banks, dataset, exemplars, images: new ImageStore(), seed: 1 });
    const base = fresh();
    const made = await runTool({ id: 'p', name: 'text2image', arguments: JSON.stringify({ prompts: ['red striped trousers on grass', 'blue dotted bag on sky'], samples: 5 }) }, base);
    if (!made.result.ok) throw new Error(made.result.text);
    const ids = (made.result.data as { images: Array<{ image: string }> }).images.map((r) => r.image);
    const pixels = await Promise.all(ids.map((id) => base.images.pixelsOf(id)));
    const check = async (p: ReturnType<typeof runTool>) => {
      const r = await p;
      if (!r.result.ok) throw new Error(r.result.text);
    };
    const [bare, callUnit, text2image, editImages] = await timeInterleaved(
      [
        () => model.run({ images: pixels, maps: [{ layer, unit: job.unit }] }),
        () => check(runTool({ id: 'a', name: 'call_unit', arguments: JSON.stringify({ images: ids }) }, base)),
        () => check(runTool({ id: 'b', name: 'text2image', arguments: JSON.stringify({ prompts: PROMPTS }) }, fresh())),
        () => check(runTool({ id: 'c', name: 'edit_images', arguments: JSON.stringify({ images: [ids[0]], instructions: INSTRUCTIONS }) }, base)),
      ],
      7,
    );
    t0 = performance.now();
    await exemplars.top(layer, job.unit, 15, {});
    const indexMs = performance.now() - t0;
    const settings = { subject, backend: { kind: 'offline' as const, seesImages: false }, rounds: job.rounds, seed: 1 };
    t0 = performance.now();
    const run = new AgentRun({ settings, client: createOfflineClient(), ctx: fresh() });
    await run.run();
    const runMs = performance.now() - t0;
    return {
      backend: model.backend.name,
      threads: model.backend.threads,
      medians: { bare: bare.median, callUnit: callUnit.median, text2image: text2image.median, editImages: editImages.median },
      datasetMs,
      indexMs,
      runMs,
      rounds: run.round,
      toolCalls: run.toolCalls,
      label: run.result?.label ?? null,
    };
  } finally {
    await model.release();
  }
}
