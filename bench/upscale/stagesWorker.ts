/// <reference lib="webworker" />
/**
 * Times graph prefixes (see src/engine/onnx/prefix.ts) in the tab: each prefix in its own
 * onnxruntime-web session, one input frame, the output read back as the app reads a frame.
 */
import { webRuntime } from '../../src/engine/runtime/web';
import type { BackendName } from '../../src/engine/runtime/types';
import { timeInterleaved, type Timing } from '../timing';
import { fetchBytes, serveWorkerJob } from '../workerJob';
import { benchFrame } from './frame';

export interface StagesJob {
  threads: number;
  backend: BackendName;
  /** Interleaved rounds: one run of every prefix per round. */
  rounds: number;
  input: string;
  width: number;
  height: number;
  /** Each prefix model by URL (typed arrays do not survive playwright's evaluate). */
  prefixes: { tensor: string; url: string }[];
}

export interface StagesResult {
  backend: string;
  threads: number;
  times: Record<string, Timing>;
}

serveWorkerJob<StagesJob, StagesResult>(async (job) => {
  const runtime = webRuntime();
  const input = benchFrame(job.width, job.height);
  // All sessions stay open and the rounds interleave them, so drift hits every prefix alike.
  const sessions = [];
  for (const p of job.prefixes) {
    sessions.push(await runtime.createSession(new Uint8Array(await fetchBytes(p.url)), { prefer: [job.backend], threads: job.threads }));
  }
  const timings = await timeInterleaved(
    sessions.map((s, i) => () => s.run({ [job.input]: input }, { outputs: [job.prefixes[i].tensor] })),
    job.rounds,
  );
  const { name: backend, threads } = sessions[0].backend;
  await Promise.all(sessions.map((s) => s.release()));
  const times = Object.fromEntries(job.prefixes.map((p, i) => [p.tensor, timings[i]]));
  return { backend, threads, times };
});
