/** Bench page: forwards one job to a module worker (as the app runs its engine) and exposes the result. */
import { runWorkerJob } from '../workerJob';
import type { IndexJob, IndexJobResult } from '../exemplarsIndexJob';
import type { BenchJob, BenchResult } from './worker';
import type { CircuitJob, CircuitJobResult } from '../circuitsJob';
import type { AgentJob, AgentJobResult } from '../agentJob';

declare global {
  interface Window {
    runBench(job: BenchJob): Promise<BenchResult>;
    /** Indexing throughput (bench/exemplarsThroughput.ts). */
    runIndexBench(job: IndexJob): Promise<IndexJobResult>;
    /** Circuit discovery (bench/circuits.ts). */
    runCircuitBench(job: CircuitJob): Promise<CircuitJobResult>;
    /** The agent's tools and an offline run (bench/agent-tab.ts). */
    runAgentBench(job: AgentJob): Promise<AgentJobResult>;
  }
}

window.runBench = (job) => runWorkerJob(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), job);
window.runIndexBench = (job) => runWorkerJob(new Worker(new URL('./indexWorker.ts', import.meta.url), { type: 'module' }), job);
window.runCircuitBench = (job) => runWorkerJob(new Worker(new URL('./circuitWorker.ts', import.meta.url), { type: 'module' }), job);
window.runAgentBench = (job) => runWorkerJob(new Worker(new URL('./agentWorker.ts', import.meta.url), { type: 'module' }), job);
