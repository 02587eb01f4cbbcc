/// <reference lib="webworker" />
/** Times a model in onnxruntime-web inside a worker: plain session and the all-layers probe. */
import { webRuntime } from '../../src/engine/runtime/web';
import { inspectModel } from '../../src/engine/lab/inspect';
import { addProbes } from '../../src/engine/onnx/probes';
import { encodeModel } from '../../src/engine/onnx/model';
import type { BackendName } from '../../src/engine/runtime/types';
import { time, type Timing } from '../timing';
import { serveWorkerJob } from '../workerJob';

export interface BenchJob {
  modelUrl: string;
  threads: number;
  backend: BackendName;
  probe: boolean;
  budgetMs: number;
}

export interface BenchResult {
  backend: string;
  threads: number;
  plain: Timing;
  probed: Timing | null;
  layers: number;
}

serveWorkerJob<BenchJob, BenchResult>(async (job) => {
  const bytes = new Uint8Array(await (await fetch(job.modelUrl)).arrayBuffer());
  const runtime = webRuntime();
  const options = { prefer: [job.backend], threads: job.threads };
  const { model, summary } = await inspectModel(runtime, bytes, job.modelUrl, { session: options });
  const [H, W] = summary.preprocess.size;
  const input = { dims: [1, 3, H, W], data: new Float32Array(3 * H * W).map((_, i) => Math.sin(i * 0.001)) };
  const feeds = { [summary.imageInput.name]: input };
  const plainSession = await runtime.createSession(bytes, options);
  const plain = await time(() => plainSession.run(feeds), job.budgetMs);
  await plainSession.release();
  let probed: Timing | null = null;
  if (job.probe) {
    const probeModel = addProbes(model, { layers: summary.layers.map((l) => ({ tensor: l.tensor, rank: l.shape.length })) });
    const probeSession = await runtime.createSession(encodeModel(probeModel), options);
    probed = await time(() => probeSession.run(feeds), job.budgetMs);
    await probeSession.release();
  }
  return { backend: plainSession.backend.name, threads: plainSession.backend.threads, plain, probed, layers: summary.layers.length };
});
