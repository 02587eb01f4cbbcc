/** Static facts about a model read from the graph alone: I/O, image input, ops, parameters. */
import { LabError } from '../errors';
import type { ImageInput, IoInfo } from '../types';
import { declaredShape, elemTypeName, realInputs, tensorSize } from './graph';
import type { Model, ValueInfo } from './model';

export function ioInfo(v: ValueInfo): IoInfo {
  return { name: v.name, shape: declaredShape(v) ?? [], type: elemTypeName(v) };
}

/** The NCHW float input with 3 (or unknown) channels. Throws `no-image-input` naming what exists. */
export function findImageInput(model: Model): ImageInput {
  const inputs = realInputs(model.graph);
  for (const v of inputs) {
    const shape = declaredShape(v);
    if (elemTypeName(v) !== 'float' || !shape || shape.length !== 4) continue;
    if (typeof shape[1] === 'number' && shape[1] !== 3) continue;
    const dim = (d: number | string | null) => (typeof d === 'number' ? d : null);
    return { name: v.name, channels: 3, height: dim(shape[2]), width: dim(shape[3]) };
  }
  const described = inputs.map((v) => `${v.name}: ${elemTypeName(v)}[${(declaredShape(v) ?? []).map((d) => d ?? '?').join(',')}]`);
  throw new LabError(
    'no-image-input',
    `The model has no image input (a float tensor [N,3,H,W]). Its inputs: ${described.join('; ') || 'none'}.`,
  );
}

export function opHistogram(model: Model): Record<string, number> {
  const ops: Record<string, number> = {};
  for (const n of model.graph.node) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
    ops[key] = (ops[key] ?? 0) + 1;
  }
  return ops;
}

/** Scalar weights: initializers plus tensors held by Constant nodes. */
export function parameterCount(model: Model): number {
  let total = model.graph.initializer.reduce((acc, t) => acc + tensorSize(t), 0);
  for (const n of model.graph.node) {
    if (n.opType !== 'Constant') continue;
    const t = n.attribute.find((a) => a.name === 'value')?.t;
    if (t) total += tensorSize(t);
  }
  return total;
}
