/** Upscale bench page: each job runs in a fresh module worker, as the app runs its engine. */
import { runWorkerJob } from '../workerJob';
import type { FrameJob, FrameResult } from './worker';

declare global {
  interface Window {
    runFrameBench(job: FrameJob): Promise<FrameResult>;
  }
}

window.runFrameBench = (job) => runWorkerJob(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), job);
