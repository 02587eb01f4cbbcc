/** An EngineClient over a fake worker that answers from a handler, recording every request. */
import { EngineClient, type WorkerLike } from '../../src/worker/client';
import type { EngineErrorCode, EngineRequest, EngineResponseBody, FromWorker, Progress, ToWorker } from '../../src/worker/protocol';
import type { ModelSummary } from '../../src/engine/types';

export type Answer = EngineResponseBody | { error: EngineErrorCode; message: string };

export function fakeEngine(handler: (req: EngineRequest) => Answer | Promise<Answer>) {
  const requests: EngineRequest[] = [];
  let listener: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  const emit = (data: FromWorker) => setTimeout(() => listener?.({ data } as MessageEvent<FromWorker>), 0);
  const worker: WorkerLike = {
    postMessage(msg: ToWorker) {
      if (msg.type !== 'request') return;
      requests.push(msg.request);
      void Promise.resolve(handler(msg.request)).then((a) =>
        emit('error' in a ? { type: 'error', id: msg.id, code: a.error, message: a.message } : { type: 'result', id: msg.id, body: a }),
      );
    },
    addEventListener(type: string, l: (ev: never) => void) {
      if (type === 'message') listener = l as unknown as (ev: MessageEvent<FromWorker>) => void;
    },
  } as WorkerLike;
  return { client: new EngineClient(worker), requests };
}

/** A handler as the worker runs one: it sees cancels as an aborted signal and may report progress. */
export type CancellableHandler = (req: EngineRequest, signal: AbortSignal, progress: (p: Progress) => void) => Promise<EngineResponseBody>;

/** An EngineClient over a fake worker that runs `handle` with cancel and progress, recording every request. */
export function cancellableEngine(handle: CancellableHandler) {
  const requests: EngineRequest[] = [];
  const controllers = new Map<number, AbortController>();
  let listener: ((ev: MessageEvent<FromWorker>) => void) | null = null;
  const emit = (data: FromWorker) => setTimeout(() => listener?.({ data } as MessageEvent<FromWorker>), 0);
  const worker = {
    postMessage(msg: ToWorker) {
      if (msg.type === 'cancel') return controllers.get(msg.id)?.abort();
      requests.push(msg.request);
      const c = new AbortController();
      controllers.set(msg.id, c);
      handle(msg.request, c.signal, (progress) => emit({ type: 'progress', id: msg.id, progress })).then(
        (body) => emit({ type: 'result', id: msg.id, body }),
        (err: Error & { code?: EngineErrorCode }) => emit({ type: 'error', id: msg.id, code: err.code ?? 'internal', message: err.message }),
      );
    },
    addEventListener(type: string, l: (ev: never) => void) {
      if (type === 'message') listener = l as unknown as (ev: MessageEvent<FromWorker>) => void;
    },
  } as WorkerLike;
  return { client: new EngineClient(worker), requests };
}

export function summaryNamed(name: string, layers: Array<[string, number]> = [['conv1', 8]]): ModelSummary {
  return {
    name,
    sha256: 'ab'.repeat(32),
    bytes: 1234,
    producer: 'test',
    opset: 17,
    inputs: [{ name: 'input', shape: [1, 3, 64, 64], type: 'float32' }],
    outputs: [{ name: 'logits', shape: [1, 10], type: 'float32' }],
    imageInput: { name: 'input', channels: 3, height: 64, width: 64 },
    ops: { Conv: 2, Relu: 2, Gemm: 1 },
    parameters: 11_689_512,
    layers: layers.map(([tensor, channels]) => ({ tensor, label: tensor, op: 'Conv', channels, shape: [1, channels, 8, 8] })),
    preprocess: { size: [64, 64], mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], source: 'metadata' },
    labels: null,
  };
}

/** A File-like object: `size` can be anything; reading it gives `bytes`. */
export function fakeFile(name: string, size: number, bytes = new Uint8Array([0x08, 0x07, 0x12, 0x00])) {
  let reads = 0;
  return {
    name,
    size,
    get reads() {
      return reads;
    },
    arrayBuffer: async () => {
      reads++;
      return bytes.slice().buffer;
    },
  };
}
