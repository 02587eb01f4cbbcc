/**
 * Reading and writing ONNX ModelProto bytes with the committed static protobuf module.
 * Every failure becomes an LabError whose message says what is wrong in the file.
 */
import $protobuf from 'protobufjs/minimal.js';
import { onnx } from './proto/onnx.js';
import { LabError } from '../errors';

// int64 fields decode to plain numbers everywhere (Node would otherwise pick up `long` and the
// browser would not), so graph code sees one representation. Dims and attributes fit in 2^53.
$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();

// The generated interfaces mark every field optional; decoded messages always carry these ones
// (repeated fields as arrays, scalars through prototype defaults). int64 values are numbers.
export type Dim = { dimValue?: number | null; dimParam?: string | null };
export type ValueInfo = Omit<onnx.IValueInfoProto, 'name' | 'type'> & {
  name: string;
  type?: { tensorType?: { elemType?: number | null; shape?: { dim: Dim[] } | null } | null } | null;
};
export type Tensor = Omit<onnx.ITensorProto, 'name' | 'dims' | 'dataType' | 'int64Data'> & {
  name: string;
  dims: number[];
  dataType: number;
  int64Data?: number[];
};
export type Attribute = Omit<onnx.IAttributeProto, 'name' | 'type' | 'ints' | 'floats' | 'i' | 'f' | 't'> & {
  name: string;
  type: number;
  ints: number[];
  floats: number[];
  i: number;
  f: number;
  t?: Tensor | null;
};
export type Node = Omit<onnx.INodeProto, 'name' | 'opType' | 'domain' | 'input' | 'output' | 'attribute'> & {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: Attribute[];
};
export type Graph = Omit<onnx.IGraphProto, 'name' | 'node' | 'input' | 'output' | 'initializer' | 'valueInfo'> & {
  name: string;
  node: Node[];
  input: ValueInfo[];
  output: ValueInfo[];
  initializer: Tensor[];
  valueInfo: ValueInfo[];
};
export type Model = Omit<onnx.IModelProto, 'graph' | 'opsetImport' | 'metadataProps' | 'producerName' | 'producerVersion'> & {
  graph: Graph;
  opsetImport: Array<{ domain: string; version: number }>;
  metadataProps: Array<{ key: string; value: string }>;
  producerName: string;
  producerVersion: string;
};
export { onnx };


/** Decodes and sanity-checks an ONNX model. Throws LabError('bad-model') with a reason. */
export function decodeModel(bytes: Uint8Array): Model {
  if (bytes.byteLength === 0) throw new LabError('bad-model', 'The file is empty.');
  let model: Model;
  try {
    model = onnx.ModelProto.decode(bytes) as unknown as Model;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new LabError(
      'bad-model',
      `Not a readable ONNX model (${reason}). The file may be truncated or not an .onnx file.`,
    );
  }
  const graph = model.graph;
  if (!graph || graph.node.length === 0) {
    throw new LabError('bad-model', 'The file decodes, but holds no graph with nodes: not an ONNX model.');
  }
  if (graph.input.length === 0 || graph.output.length === 0) {
    throw new LabError('bad-model', 'The ONNX graph declares no inputs or no outputs.');
  }
  if (!model.opsetImport.some((o) => !o.domain || o.domain === 'ai.onnx')) {
    throw new LabError('bad-model', 'The ONNX model imports no default-domain opset.');
  }
  return model;
}

export function encodeModel(model: Model): Uint8Array {
  return onnx.ModelProto.encode(model as onnx.IModelProto).finish();
}

/**
 * A copy deep enough that surgery never mutates the caller's model (node lists and node
 * inputs/outputs are new; initializers are shared). Decoded messages keep scalar defaults on
 * their prototype, which a spread drops: those fields are copied by name.
 */
export function cloneModel(model: Model): Model {
  const graph = model.graph;
  const g: Graph = {
    ...graph,
    name: graph.name,
    node: graph.node.map((n) => ({
      ...n,
      name: n.name,
      opType: n.opType,
      domain: n.domain,
      input: [...n.input],
      output: [...n.output],
      attribute: n.attribute,
    })),
    input: [...graph.input],
    output: [...graph.output],
    valueInfo: [...graph.valueInfo],
    initializer: [...graph.initializer],
  };
  return {
    ...model,
    producerName: model.producerName,
    producerVersion: model.producerVersion,
    graph: g,
    opsetImport: model.opsetImport,
    metadataProps: [...model.metadataProps],
  };
}

/** The default-domain opset version the model is written against. */
export function opsetVersion(model: Model): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  return Number(entry?.version ?? 0);
}

export function metadata(model: Model): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of model.metadataProps) if (p.key) out[p.key] = p.value ?? '';
  return out;
}
