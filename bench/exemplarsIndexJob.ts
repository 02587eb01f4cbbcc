/**
 * One indexing-throughput measurement, the same code under onnxruntime-node and in a browser
 * worker (bench/browser/indexWorker.ts): the first `count` built-in scenes through a model at one
 * layer, exactly as the app indexes (scene rendering, preprocessing — scenes are resized to the
 * model's input, e.g. 64 → 224 for ResNet-18 —, one probed run per batch, streaming top-k).
 */
import { loadBanks, openDataset, type AssetRead } from '../src/engine/data/datasets';
import { indexDataset, type ImageSource } from '../src/engine/exemplars/indexer';
import { sceneSource } from '../src/engine/exemplars/sceneSource';
import { LoadedModel } from '../src/engine/lab/loadedModel';
import type { Runtime } from '../src/engine/runtime/types';

export interface IndexJob {
  modelUrl: string;
  /** Layer tensor, or a label pattern (regular expression) matched against the layers' labels; the last match is used. */
  layer: string;
  count: number;
  batch: number;
  threads: number;
}

export interface IndexJobResult {
  backend: string;
  threads: number;
  layer: string;
  images: number;
  /** Wall time of the indexing pass (after one warm-up batch). */
  ms: number;
  /** Of which rendering the scenes. */
  renderMs: number;
  imagesPerSecond: number;
}

export async function runIndexJob(runtime: Runtime, modelBytes: Uint8Array, read: AssetRead, job: IndexJob): Promise<IndexJobResult> {
  const model = await LoadedModel.open(runtime, modelBytes, job.modelUrl, { session: { prefer: ['wasm', 'cpu'], threads: job.threads } });
  try {
    const layers = model.summary.layers;
    const pattern = new RegExp(job.layer);
    const layer = layers.find((l) => l.tensor === job.layer) ?? layers.filter((l) => pattern.test(l.label)).at(-1);
    if (!layer) throw new Error(`No layer ${job.layer} in ${job.modelUrl}.`);
    const ds = await openDataset('scenes-test', await loadBanks(read), { count: job.count, cacheScenes: 0 });
    const scenes = sceneSource(ds);
    let renderMs = 0;
    const timed: ImageSource = {
      ...scenes,
      load: async (start, end) => {
        const t0 = performance.now();
        const images = await scenes.load(start, end);
        renderMs += performance.now() - t0;
        return images;
      },
    };
    // One warm-up batch: the probe session is created on first use.
    await model.run({ images: (await scenes.load(0, Math.min(job.batch, job.count))).filter((i) => i !== null), layers: [layer.tensor] });
    const t0 = performance.now();
    await indexDataset(model, timed, { layers: [layer.tensor], batch: job.batch });
    const ms = performance.now() - t0;
    return { backend: model.backend.name, threads: model.backend.threads, layer: layer.label, images: job.count, ms, renderMs, imagesPerSecond: (job.count * 1000) / ms };
  } finally {
    await model.release();
  }
}
