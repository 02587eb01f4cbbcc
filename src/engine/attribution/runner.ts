/**
 * One gradient session behind a small function: a batch of model inputs in (already normalised,
 * [N,3,H,W]), the target's value per image and d(target)/d(input) out. Attribution and feature
 * visualisation are written against this function, so they run the same in the worker and in Node.
 */
import { asLabError, sessionError } from '../errors';
import { gradientModel, type GradientTarget } from '../onnx/backward';
import type { Model } from '../onnx/model';
import { modelSession } from '../lab/modelSession';
import type { BackendInfo, Runtime, Session, SessionOptions } from '../runtime/types';
import type { TensorF32 } from '../types';

export interface GradientResult {
  /** The target per image, [N]. */
  value: Float32Array;
  /** d(target)/d(input), shaped like the input. */
  grad: TensorF32;
}

export interface GradientRunner {
  readonly target: GradientTarget;
  /** The model input's [H, W]: the gradient model is built for this size. */
  readonly size: [number, number];
  /** Where the gradient session runs (WebGPU or WASM in a tab, the CPU in Node). */
  readonly backend: BackendInfo;
  run(input: TensorF32, signal?: AbortSignal): Promise<GradientResult>;
  release(): Promise<void>;
}

/**
 * Builds the gradient model of `target` w.r.t. the image input and opens a session on it.
 * `inputName` is the model's image input; `size` its [H, W].
 */
export async function openGradientRunner(
  runtime: Runtime,
  model: Model,
  inputName: string,
  size: [number, number],
  target: GradientTarget,
  session: SessionOptions = {},
): Promise<GradientRunner> {
  const built = await gradientModel(runtime, model, { target, wrt: [inputName] });
  let s: Session;
  try {
    s = await modelSession(runtime, built.model, session);
  } catch (err) {
    throw sessionError(err);
  }
  const outputs = [built.outputs.target, built.outputs.grads[inputName]];
  return {
    target,
    size,
    backend: s.backend,
    async run(input, signal) {
      const out = await s.run({ [inputName]: input }, { outputs, signal }).catch((e) => {
        throw asLabError(e);
      });
      const g = out[outputs[1]];
      return { value: out[outputs[0]].data, grad: { dims: g.dims, data: g.data } };
    },
    release: () => s.release(),
  };
}
