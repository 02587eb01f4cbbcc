/// <reference lib="webworker" />
/** Circuit discovery in onnxruntime-web inside a worker (see bench/circuitsJob.ts). */
import { webRuntime } from '../../src/engine/runtime/web';
import { runCircuitJob, type CircuitJob, type CircuitJobResult } from '../circuitsJob';
import { serveWorkerJob } from '../workerJob';

const fetchBytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

serveWorkerJob<CircuitJob, CircuitJobResult>(async (job) => {
  const assets = new URL('/assets/', self.location.href);
  return runCircuitJob(webRuntime(), await fetchBytes(job.modelUrl), (name) => fetchBytes(new URL(name, assets).href), job);
});
