/// <reference lib="webworker" />
/** The engine worker's entry: routes protocol messages to the handlers, one AbortController per request. */
import { asLabError } from '../engine/errors';
import { webRuntime } from '../engine/runtime/web';
import { EngineHandlers } from './handlers';
import { indexedDbMemo } from './datasetMemo';
import { RequestLanes } from './lanes';
import { indexedDbLayerMemo } from './layerMemoDb';
import { exemplarTransferables } from './exemplarHost';
import { gradTransferables } from './gradHost';
import { upscaleTransferables } from './upscaleHost';
import type { EngineResponseBody, FromWorker, ToWorker } from './protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;
// A reload opens the built-in dataset from the memo instead of generating and hashing it again.
const hasIdb = typeof indexedDB !== 'undefined';
const handlers = new EngineHandlers(webRuntime(), {
  datasetMemo: hasIdb ? indexedDbMemo() : undefined,
  layerMemo: hasIdb ? indexedDbLayerMemo() : undefined,
});
const inFlight = new Map<number, AbortController>();
/** One request at a time per lane (model, data); short ones may run between a long one's steps. */
const lanes = new RequestLanes();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

/** Buffers a result owns alone, moved to the page instead of copied (a dataset page's images). */
function transferables(body: EngineResponseBody): Transferable[] {
  if (body.kind === 'datasetPage' || body.kind === 'imagePage') return body.items.map((it) => it.image.data.buffer as ArrayBuffer);
  return [...exemplarTransferables(body), ...upscaleTransferables(body), ...gradTransferables(body)];
}

scope.addEventListener('message', (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'cancel') {
    inFlight.get(msg.id)?.abort();
    return;
  }
  const controller = new AbortController();
  inFlight.set(msg.id, controller);
  lanes.submit(msg.request.kind, async (yieldPoint) => {
    try {
      if (controller.signal.aborted) throw asLabError(Object.assign(new Error('Cancelled'), { name: 'RunCancelled' }));
      const body = await handlers.handle(
        msg.request,
        controller.signal,
        (progress) => post({ type: 'progress', id: msg.id, progress }),
        yieldPoint,
      );
      post({ type: 'result', id: msg.id, body }, transferables(body));
    } catch (err) {
      const e = asLabError(err);
      post({ type: 'error', id: msg.id, code: e.code, message: e.message });
    } finally {
      inFlight.delete(msg.id);
    }
  });
});
