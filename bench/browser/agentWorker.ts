/// <reference lib="webworker" />
/** The agent's tools and the offline agent in onnxruntime-web inside a worker (see bench/agentJob.ts). */
import { webRuntime } from '../../src/engine/runtime/web';
import { runAgentJob, type AgentJob, type AgentJobResult } from '../agentJob';
import { serveWorkerJob } from '../workerJob';

const fetchBytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());

serveWorkerJob<AgentJob, AgentJobResult>(async (job) => {
  const assets = new URL('/assets/', self.location.href);
  return runAgentJob(webRuntime(), await fetchBytes(job.modelUrl), (name) => fetchBytes(new URL(name, assets).href), job);
});
