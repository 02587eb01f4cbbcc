/// <reference lib="webworker" />
/**
 * Times one video-frame upscale in the tab: an ONNX upscaler in onnxruntime-web (the engine's
 * Upscaler, WASM or WebGPU) or esrgan-slim in TF.js's WASM backend. Model load and warm-up are
 * excluded; each timed call waits for the output to be readable.
 */
import { webRuntime } from '../../src/engine/runtime/web';
import { Upscaler } from '../../src/engine/upscale/upscaler';
import type { BackendName } from '../../src/engine/runtime/types';
import { time, type Timing } from '../timing';
import { fetchBytes, serveWorkerJob } from '../workerJob';
import { benchFrame } from './frame';
import { esrganFrameRunner, initTfWasm, loadEsrganSlim, type LayersModelJson } from './esrganSlim';

interface FrameBase {
  threads: number;
  width: number;
  height: number;
  budgetMs: number;
}

export type FrameJob =
  | (FrameBase & { kind: 'onnx'; modelUrl: string; backend: BackendName })
  | (FrameBase & { kind: 'tfjs'; modelJsonUrl: string; weightsUrl: string; wasmDir: string });

export interface FrameResult {
  runtime: string;
  backend: string;
  threads: number;
  parameters: number;
  frame: Timing;
}

serveWorkerJob<FrameJob, FrameResult>(async (job) => {
  const { width: w, height: h } = job;
  if (job.kind === 'onnx') {
    const bytes = new Uint8Array(await fetchBytes(job.modelUrl));
    const up = await Upscaler.open(webRuntime(), bytes, job.modelUrl, { prefer: [job.backend], threads: job.threads });
    const input = benchFrame(w, h);
    const frame = await time(() => up.run(input), job.budgetMs);
    const { backend, parameters } = up.info;
    await up.release();
    return { runtime: 'onnxruntime-web', backend: backend.name, threads: backend.threads, parameters, frame };
  }
  const tf = await initTfWasm({ wasmDir: job.wasmDir, threads: job.threads });
  const json = JSON.parse(new TextDecoder().decode(await fetchBytes(job.modelJsonUrl))) as LayersModelJson;
  const model = await loadEsrganSlim(json, await fetchBytes(job.weightsUrl));
  const runner = esrganFrameRunner(model, w, h);
  // One warm-up: a frame takes seconds, and TF.js's WASM kernels need no shape compilation.
  const frame = await time(runner.run, job.budgetMs, 1);
  runner.dispose();
  const parameters = model.countParams();
  model.dispose();
  return { runtime: `tfjs ${tf.version}`, backend: `${tf.backend}${tf.simd ? ' SIMD' : ''}${tf.multithread ? ' threaded' : ''}`, threads: tf.threads, parameters, frame };
});
