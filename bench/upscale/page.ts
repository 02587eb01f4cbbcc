/** Upscale bench page: each job runs in a fresh module worker, as the app runs its engine. */
import { runWorkerJob } from '../workerJob';
import type { StagesJob, StagesResult } from './stagesWorker';
import type { FrameJob, FrameResult } from './worker';

declare global {
  interface Window {
    runFrameBench(job: FrameJob): Promise<FrameResult>;
    runStagesBench(job: StagesJob): Promise<StagesResult>;
  }
}

window.runFrameBench = (job) => runWorkerJob(new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' }), job);
window.runStagesBench = (job) => runWorkerJob(new Worker(new URL('./stagesWorker.ts', import.meta.url), { type: 'module' }), job);
