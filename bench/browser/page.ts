/** Bench page: forwards one job to a module worker (as the app runs its engine) and exposes the result. */
import type { BenchJob, BenchResult } from './worker';

declare global {
  interface Window {
    runBench(job: BenchJob): Promise<BenchResult>;
  }
}

window.runBench = (job) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (ev: MessageEvent<BenchResult | { error: string }>) => {
      worker.terminate();
      if ('error' in ev.data) reject(new Error(ev.data.error));
      else resolve(ev.data);
    };
    worker.onerror = (ev) => reject(new Error(ev.message));
    worker.postMessage(job);
  });
