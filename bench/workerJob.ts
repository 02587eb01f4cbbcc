/**
 * Bench pages hand one job to a fresh module worker (as the app runs its engine) and resolve with
 * its one reply; the worker replies `{ error }` on failure. The caller creates the Worker so that
 * Vite sees `new Worker(new URL(...))` literally and bundles the worker.
 */
export function runWorkerJob<Job, Result>(worker: Worker, job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (ev: MessageEvent<Result | { error: string }>) => {
      worker.terminate();
      const data = ev.data;
      if (data && typeof data === 'object' && 'error' in data) reject(new Error(data.error));
      else resolve(data as Result);
    };
    worker.onerror = (ev) => {
      worker.terminate();
      reject(new Error(ev.message));
    };
    worker.postMessage(job);
  });
}

/** A worker's input file, whole; an HTTP error is an error. */
export async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

/** The worker side: runs `handle` on the first message and posts its result or `{ error }`. */
export function serveWorkerJob<Job, Result>(handle: (job: Job) => Promise<Result>): void {
  const scope = self as unknown as DedicatedWorkerGlobalScope;
  scope.onmessage = async (ev: MessageEvent<Job>) => {
    try {
      scope.postMessage(await handle(ev.data));
    } catch (err) {
      scope.postMessage({ error: err instanceof Error ? err.message : String(err) });
    }
  };
}
