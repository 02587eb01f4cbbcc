/**
 * One wrapper over an onnxruntime InferenceSession, shared by the Node and the browser runtimes
 * (both expose the onnxruntime-common API): a run queue (one run at a time per session — a second
 * concurrent run fails inside onnxruntime), cancellation of queued runs, float32 outputs.
 */
import type { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-common';
import type { BackendInfo, Feed, OutTensor, RunOptions, Session } from './types';

/** The constructor of onnxruntime's Tensor, from whichever package is in use. */
export type OrtTensorCtor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;

export class RunCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'RunCancelled';
  }
}

/** Any numeric ORT output as float32; int64 shape tensors and bools included (for dry runs). */
function toF32(t: OrtTensor): OutTensor {
  const src = t.data as ArrayLike<number | bigint>;
  let data: Float32Array;
  if (src instanceof Float32Array) data = src;
  else if (t.type === 'string') data = new Float32Array(0);
  else {
    data = new Float32Array(src.length);
    for (let i = 0; i < src.length; i++) data[i] = Number(src[i]);
  }
  return { dims: [...t.dims], data, type: t.type };
}

export class QueuedSession implements Session {
  private tail: Promise<unknown> = Promise.resolve();
  private released = false;

  constructor(
    protected readonly session: InferenceSession,
    private readonly TensorCtor: OrtTensorCtor,
    readonly backend: BackendInfo,
  ) {}

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs `work` after every earlier queued job, on an open session; `signal` cancels it while queued. */
  protected enqueue<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const job = this.tail.then(async () => {
      if (this.released) throw new Error('The session was released.');
      if (signal?.aborted) throw new RunCancelled();
      return work();
    });
    this.tail = job.catch(() => undefined);
    return job;
  }

  run(feeds: Feed, options: RunOptions = {}): Promise<Record<string, OutTensor>> {
    return this.enqueue(async () => {
      const ortFeeds: Record<string, OrtTensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new this.TensorCtor('float32', t.data, t.dims);
      const fetches = options.outputs ?? this.session.outputNames;
      const out = await this.session.run(ortFeeds, fetches as string[]);
      // onnxruntime cannot interrupt a run; a cancel during it discards the result.
      if (options.signal?.aborted) throw new RunCancelled();
      const result: Record<string, OutTensor> = {};
      for (const [name, t] of Object.entries(out)) {
        // A session that keeps outputs on the GPU (WebGPU `gpuOutputs`) needs them downloaded here.
        if (t.location === 'gpu-buffer') await t.getData(true);
        result[name] = toF32(t);
        t.dispose?.();
      }
      return result;
    }, options.signal);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.tail;
    await this.session.release();
  }
}
