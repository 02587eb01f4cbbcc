/**
 * ONNX external data: a model saved with `save_as_external_data` keeps its big tensors in files
 * beside the graph (`model.onnx` + `model.onnx.data`), each tensor naming a `location`, an
 * `offset` and a `length`. The engine resolves them once, after decoding: each tensor's rawData
 * becomes a view into the data file's bytes (no copy), so the rest of the engine — surgery, sessions,
 * hashes — sees an ordinary model.
 */
import { LabError } from '../errors';
import { onnx, type Model, type Tensor } from './model';

const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

/** Reads one data file by its location (relative to the model), or throws when it is not there. */
export type DataFileReader = (location: string) => Promise<Uint8Array>;

function entries(t: Tensor): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of t.externalData ?? []) if (e.key) out[e.key] = e.value ?? '';
  return out;
}

function isExternal(t: Tensor): boolean {
  return t.dataLocation === EXTERNAL;
}

/** Every tensor of the graph that keeps its data outside: initializers and Constant nodes' values. */
function allTensors(model: Model): Tensor[] {
  const fromNodes = model.graph.node.flatMap((n) => n.attribute.flatMap((a) => (a.t ? [a.t] : [])));
  return [...model.graph.initializer, ...fromNodes];
}

/** The data files a model refers to, in first-use order (empty for a self-contained model). */
export function externalDataFiles(model: Model): string[] {
  const files = new Set<string>();
  for (const t of allTensors(model)) if (isExternal(t)) files.add(entries(t).location ?? '');
  return [...files];
}

/** A location must stay beside the model: no absolute paths, no `..`, as the ONNX checker demands. */
function checkLocation(location: string): void {
  if (!location || location.startsWith('/') || /^[a-z]+:/i.test(location) || location.split(/[\\/]/).includes('..')) {
    throw new LabError('bad-model', `The model refers to external data at “${location}”, which is not a file beside the model.`);
  }
}

/**
 * Points every external tensor at its bytes in the data files `read` returns; the model is changed
 * in place. Returns the data files' total size. Each file is read once.
 */
export async function resolveExternalData(model: Model, read: DataFileReader): Promise<number> {
  const files = new Map<string, Uint8Array>();
  for (const location of externalDataFiles(model)) {
    checkLocation(location);
    try {
      files.set(location, await read(location));
    } catch (err) {
      if (err instanceof LabError && err.code !== 'bad-model') throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new LabError(
        'bad-model',
        `The model keeps its weights in “${location}”, which could not be read (${why}). Open it together with the model (select both files, or drop their folder), or put it beside the model's address.`,
      );
    }
  }
  for (const t of allTensors(model)) {
    if (!isExternal(t)) continue;
    const e = entries(t);
    const data = files.get(e.location)!;
    const offset = e.offset ? Number(e.offset) : 0;
    const length = e.length ? Number(e.length) : data.byteLength - offset;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > data.byteLength) {
      throw new LabError(
        'bad-model',
        `Tensor “${t.name}” lies at bytes ${offset}–${offset + length} of “${e.location}”, which has ${data.byteLength}: the data file is truncated or not this model's.`,
      );
    }
    t.rawData = data.subarray(offset, offset + length);
    t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    t.externalData = [];
  }
  let total = 0;
  for (const d of files.values()) total += d.byteLength;
  return total;
}
