/**
 * Opens a session on a decoded model: by reference to its weights where the runtime takes external
 * data (the tab: no copy of the weights in JavaScript, and none of the whole model in WebAssembly
 * memory while the session is made), else encoded whole (onnxruntime-node).
 */
import { encodeModel, type Model } from '../onnx/model';
import { byReference } from '../onnx/weightRefs';
import type { Runtime, Session, SessionOptions } from '../runtime/types';

/** `whole`: the model's bytes when they are at hand already (spares the encoding where they are used). */
export async function modelSession(runtime: Runtime, model: Model, options: SessionOptions = {}, whole?: Uint8Array): Promise<Session> {
  if (!runtime.externalData) return runtime.createSession(whole ?? encodeModel(model), options);
  const { model: graph, files } = byReference(model);
  try {
    return await runtime.createSession(encodeModel(graph), { ...options, externalData: files });
  } catch {
    // A runtime build that cannot read the references still gets the model, whole.
    return runtime.createSession(whole ?? encodeModel(model), options);
  }
}
