/// <reference lib="webworker" />
/** The engine worker's entry: routes protocol messages to the handlers, one AbortController per request. */
import { asLabError } from '../engine/errors';
import { webRuntime } from '../engine/runtime/web';
import { EngineHandlers } from './handlers';
import type { FromWorker, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const handlers = new EngineHandlers(webRuntime());
const inFlight = new Map<number, AbortController>();
// One request at a time: onnxruntime sessions are not re-entrant and the model can change under a run.
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

scope.addEventListener('message', (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') {
    inFlight.get(msg.id)?.abort();
    return;
  }
  const controller = new AbortController();
  inFlight.set(msg.id, controller);
  queue = queue.then(async () => {
    try {
      if (controller.signal.aborted) throw asLabError(Object.assign(new Error('Cancelled'), { name: 'RunCancelled' }));
      const body = await handlers.handle(msg.request, controller.signal, (progress) =>
        post({ type: 'progress', id: msg.id, progress }),
      );
      post({ type: 'result', id: msg.id, body });
    } catch (err) {
      const e = asLabError(err);
      post({ type: 'error', id: msg.id, code: e.code, message: e.message });
    } finally {
      inFlight.delete(msg.id);
    }
  });
});
