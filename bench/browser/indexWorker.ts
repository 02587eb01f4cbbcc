/// <reference lib="webworker" />
/** Indexing throughput in onnxruntime-web inside a worker (see bench/exemplarsIndexJob.ts). */
import { webRuntime } from '../../src/engine/runtime/web';
import { runIndexJob, type IndexJob, type IndexJobResult } from '../exemplarsIndexJob';
import { serveWorkerJob } from '../workerJob';

const fetchBytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

serveWorkerJob<IndexJob, IndexJobResult>(async (job) => {
  const assets = new URL('/assets/', self.location.href);
  return runIndexJob(webRuntime(), await fetchBytes(job.modelUrl), (name) => fetchBytes(new URL(name, assets).href), job);
});
