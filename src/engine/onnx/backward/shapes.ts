/**
 * Static shapes for the backward builder, by a dry run (as inspection finds layers): every node
 * output is exposed and the model runs once on zeros. The batch axis of a dynamic-batch input is
 * set to 2 for that run, so a dim of size 1 is a broadcast dim and never a batch of one — the
 * broadcast reductions (Mul/Add VJPs) then know which axes to sum.
 */
import { LabError, asLabError, sessionError } from '../../errors';
import type { Runtime } from '../../runtime/types';
import { declaredShape, elemTypeName, realInputs } from '../graph';
import { encodeModel, type Model } from '../model';
import { exposeTensors } from '../probes';
import type { TensorShapes } from './types';

export interface ShapeOptions {
  /** Full input dims by input name, for inputs with symbolic dims other than the batch. */
  inputDims?: Record<string, number[]>;
  /** Batch size of the dry run for inputs whose batch axis is symbolic (default 2). */
  batch?: number;
  signal?: AbortSignal;
}

export async function tensorShapes(runtime: Runtime, model: Model, options: ShapeOptions = {}): Promise<TensorShapes> {
  const batch = options.batch ?? 2;
  let runBatch: number | null = null;
  const feeds: Record<string, { dims: number[]; data: Float32Array }> = {};
  for (const v of realInputs(model.graph)) {
    if (elemTypeName(v) !== 'float') throw new LabError('bad-request', `Input "${v.name}" is not float; the dry run feeds only float inputs.`);
    let dims = options.inputDims?.[v.name];
    if (!dims) {
      const declared = declaredShape(v);
      if (!declared) throw new LabError('bad-request', `Input "${v.name}" declares no shape; pass inputDims.`);
      dims = declared.map((d, i) => {
        if (typeof d === 'number') return d;
        if (i === 0) return batch;
        throw new LabError('bad-request', `Input "${v.name}" has a symbolic dim ${i} ("${d ?? '?'}"); pass inputDims.`);
      });
    }
    // The batch of the run: that of the first input with a symbolic batch axis, else the first input's.
    if (declaredShape(v)?.[0] == null || typeof declaredShape(v)?.[0] === 'string') runBatch ??= dims[0];
    feeds[v.name] = { dims, data: new Float32Array(dims.reduce((p, x) => p * x, 1)) };
  }
  const tensors = model.graph.node.flatMap((n) => n.output.filter(Boolean));
  const probe = exposeTensors(model, tensors);
  let session;
  try {
    session = await runtime.createSession(encodeModel(probe), { prefer: ['wasm', 'cpu'] });
  } catch (err) {
    throw sessionError(err);
  }
  try {
    const out = await session.run(feeds, { outputs: probe.graph.output.map((o) => o.name), signal: options.signal }).catch((err) => {
      throw asLabError(err, 'bad-model');
    });
    const dims: Record<string, number[]> = {};
    for (const [name, f] of Object.entries(feeds)) dims[name] = f.dims;
    for (const [name, t] of Object.entries(out)) dims[name] = [...t.dims];
    return { batch: runBatch ?? Object.values(feeds)[0]?.dims[0] ?? 1, dims };
  } finally {
    await session.release();
  }
}
