/**
 * Main-thread side of the engine worker: a promise per request, progress callbacks, cancellation.
 * Panels never talk to the worker directly; the store owns one EngineClient.
 */
import { snapshotBuffers } from './exemplarHost';
import type { EngineErrorCode, EngineRequest, EngineResponseBody, FromWorker, Progress, ToWorker } from './protocol';

/** The message of the 'cancelled' error that requests in flight get when the worker is terminated. */
export const ENGINE_STOPPED = 'Engine stopped';

export class EngineError extends Error {
  constructor(readonly code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
  }
}

type BodyOf<K extends EngineRequest['kind']> = Extract<EngineResponseBody, { kind: K }>;

interface Pending {
  resolve: (body: EngineResponseBody) => void;
  reject: (err: EngineError) => void;
  onProgress?: (p: Progress) => void;
}

export interface RequestOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** Anything that speaks the worker side of the protocol (a Worker, or a MessagePort in tests). */
export interface WorkerLike {
  postMessage(message: ToWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent<FromWorker>) => void): void;
  addEventListener(type: 'error', listener: (ev: ErrorEvent) => void): void;
  terminate?(): void;
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly worker: WorkerLike) {
    worker.addEventListener('message', (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data));
    worker.addEventListener('error', (ev: ErrorEvent) => {
      // A crashed worker fails every request in flight instead of leaving them hanging.
      const err = new EngineError('internal', `Engine worker crashed: ${ev.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /** Creates the client on a fresh module worker running src/worker/main.ts. */
  static spawn(): EngineClient {
    const worker = new Worker(new URL('./main.ts', import.meta.url), { type: 'module', name: 'engine' });
    return new EngineClient(worker);
  }

  request<K extends EngineRequest['kind']>(
    request: Extract<EngineRequest, { kind: K }>,
    options: RequestOptions = {},
  ): Promise<BodyOf<K>> {
    const id = this.nextId++;
    return new Promise<BodyOf<K>>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new EngineError('cancelled', 'Cancelled'));
        return;
      }
      this.pending.set(id, {
        resolve: (body) => resolve(body as BodyOf<K>),
        reject,
        onProgress: options.onProgress,
      });
      options.signal?.addEventListener('abort', () => this.worker.postMessage({ type: 'cancel', id }), { once: true });
      // Model bytes move to the worker instead of being copied (they can be hundreds of MB).
      const req = request as EngineRequest;
      const transfer: Transferable[] = req.kind === 'loadModel' || req.kind === 'openUpscaler' ? [req.bytes.buffer as ArrayBuffer] : [];
      // A webcam frame (ImageBitmap) and the buffer handed back for reuse move too.
      if (req.kind === 'upscaleFrame') {
        if (!('data' in req.frame)) transfer.push(req.frame);
        if (req.reuse) transfer.push(req.reuse.buffer as ArrayBuffer);
      }
      if (req.kind === 'attachFrameCanvas' && req.canvas) transfer.push(req.canvas);
      // A cached exemplar index moves too (its tables are megabytes; the page does not keep them).
      if (req.kind === 'importIndex') transfer.push(...snapshotBuffers(req.index));
      this.worker.postMessage({ type: 'request', id, request: req }, transfer);
    });
  }

  terminate(): void {
    this.worker.terminate?.();
    const err = new EngineError('cancelled', ENGINE_STOPPED);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private onMessage(msg: FromWorker): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.type === 'result') p.resolve(msg.body);
    else p.reject(new EngineError(msg.code, msg.message));
  }
}
