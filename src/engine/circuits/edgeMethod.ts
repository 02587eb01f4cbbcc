/**
 * The one question both discovery methods answer: the edge weights from every unit of a lower
 * layer into some units of an upper tensor, averaged over the discovery examples. CLA answers it
 * with a gradient session per layer pair (./cla), ablation with masked forward runs (./ablation).
 */
import { LabError } from '../errors';
import type { Reduce, TensorShapes } from '../onnx/backward';
import type { Model } from '../onnx/model';
import type { Runtime, SessionOptions } from '../runtime/types';
import type { TensorF32 } from '../types';
import { openClaPair } from './cla';

export interface EdgeMethod {
  /** [units.length × C_lower], row u: the edges into upper unit units[u]. */
  edges(upper: string, units: number[], lower: string, signal?: AbortSignal): Promise<Float64Array>;
  release(): Promise<void>;
}

export interface EdgeContext {
  runtime: Runtime;
  model: Model;
  shapes: TensorShapes;
  inputName: string;
  /** Discovery examples, normalised [B,3,H,W]. */
  input: TensorF32;
  reduce: Reduce;
  /** Rows (image × unit, or image × ablation) per run. */
  rows: number;
  session?: SessionOptions;
}

export function claMethod(ctx: EdgeContext): EdgeMethod {
  return {
    async edges(upper, units, lower, signal) {
      let pair;
      try {
        pair = await openClaPair(ctx.runtime, ctx.model, ctx.shapes, upper, lower, ctx.reduce, ctx.inputName, ctx.session);
      } catch (err) {
        if (err instanceof LabError && err.code === 'unsupported-op') {
          throw new LabError('unsupported-op', `${err.message} CLA needs gradients between the circuit's layers; the ablation method (--method ablation) still works.`);
        }
        throw err;
      }
      try {
        return await pair.edges(ctx.input, units, ctx.rows, signal);
      } finally {
        await pair.release();
      }
    },
    release: async () => undefined,
  };
}
