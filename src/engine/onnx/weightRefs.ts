/**
 * A model for a session without copying its weights: every large initializer becomes ONNX external
 * data pointing at the bytes it already views (the file the model was decoded from, or its
 * external data file), so the encoded graph is small and the runtime reads the weights straight
 * from those buffers (onnxruntime-web's `externalData` session option). Surgery (probes, masks,
 * the dry run) then costs a graph, not a copy of the weights.
 */
import { onnx, type Model, type Tensor } from './model';

/** Tensors below this stay inline: not worth a file lookup each. */
const MIN_EXTERNAL_BYTES = 1024;

export interface WeightFile {
  path: string;
  data: Uint8Array;
}

export interface ModelByReference {
  /** The graph with references to `files` instead of the weights. */
  model: Model;
  files: WeightFile[];
}

/** A shallow copy of `model` whose large initializers refer to the buffers they view. Nodes are shared. */
export function byReference(model: Model): ModelByReference {
  const paths = new Map<ArrayBufferLike, string>();
  const initializer = model.graph.initializer.map((t): Tensor => {
    const raw = t.rawData;
    if (!raw || raw.byteLength < MIN_EXTERNAL_BYTES) return t;
    let path = paths.get(raw.buffer);
    if (!path) {
      path = `lab-weights-${paths.size}.bin`;
      paths.set(raw.buffer, path);
    }
    const ref = onnx.TensorProto.create({
      name: t.name,
      dims: t.dims,
      dataType: t.dataType,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [
        { key: 'location', value: path },
        { key: 'offset', value: String(raw.byteOffset) },
        { key: 'length', value: String(raw.byteLength) },
      ],
    });
    return ref as unknown as Tensor;
  });
  const files = [...paths].map(([buffer, path]) => ({ path, data: new Uint8Array(buffer as ArrayBuffer) }));
  return { model: { ...model, graph: { ...model.graph, initializer } }, files };
}
