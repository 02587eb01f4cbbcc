/**
 * The upscaler contract, read from an ONNX file before any session exists: one float input
 * [N,3,H,W] (RGB in [0,1]) and a float output [N,3,sH,sW]; `lab.task`/`lab.scale` metadata when
 * present. Anything else is refused with a message saying what the file has instead.
 */
import { LabError } from '../errors';
import { declaredShape, elemTypeName, realInputs } from '../onnx/graph';
import { decodeModel, metadata, type ValueInfo } from '../onnx/model';
import { parameterCount } from '../onnx/summary';

export interface UpscalerContract {
  input: string;
  output: string;
  /** From `lab.scale`, or null when the file does not say (a dry run measures it). */
  scale: number | null;
  parameters: number;
}

/** The largest scale factor the lab accepts from metadata or a dry run. */
export const MAX_SCALE = 8;

function describe(v: ValueInfo): string {
  return `${v.name}: ${elemTypeName(v)}[${(declaredShape(v) ?? []).map((d) => d ?? '?').join(',')}]`;
}

function isImageTensor(v: ValueInfo): boolean {
  const shape = declaredShape(v);
  if (elemTypeName(v) !== 'float' || !shape || shape.length !== 4) return false;
  return typeof shape[1] !== 'number' || shape[1] === 3;
}

export function readUpscalerContract(bytes: Uint8Array): UpscalerContract {
  const model = decodeModel(bytes);
  const meta = metadata(model);
  const task = meta['lab.task'];
  if (task !== undefined && task !== 'upscale') {
    throw new LabError('bad-model', `This model's lab.task is "${task.slice(0, 40)}", not "upscale": it is not an upscaler.`);
  }
  const inputs = realInputs(model.graph);
  const outputs = model.graph.output;
  const expected = 'An upscaler takes one float input [N,3,H,W] (RGB in [0,1]) and gives a float output [N,3,sH,sW].';
  if (inputs.length !== 1 || !isImageTensor(inputs[0])) {
    throw new LabError('no-image-input', `${expected} This model's inputs: ${inputs.map(describe).join('; ') || 'none'}.`);
  }
  const output = outputs.find(isImageTensor);
  if (!output) {
    throw new LabError('bad-model', `${expected} This model's outputs: ${outputs.map(describe).join('; ')} (a classifier?).`);
  }
  let scale: number | null = null;
  if (meta['lab.scale'] !== undefined) {
    scale = Number(meta['lab.scale']);
    if (!Number.isInteger(scale) || scale < 1 || scale > MAX_SCALE) {
      throw new LabError('bad-model', `lab.scale must be a whole number from 1 to ${MAX_SCALE} (got "${meta['lab.scale'].slice(0, 20)}").`);
    }
  }
  return { input: inputs[0].name, output: output.name, scale, parameters: parameterCount(model) };
}
