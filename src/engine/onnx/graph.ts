/** Small builders and lookups over an ONNX graph, shared by inspection and surgery. */
import { onnx, type Graph, type Node, type Tensor, type ValueInfo } from './model';

const { DataType } = onnx.TensorProto;

/** Element type name of a value info ("float", "int64", …). */
export function elemTypeName(v: ValueInfo): string {
  const t = v.type?.tensorType?.elemType ?? 0;
  return (DataType[t] ?? 'undefined').toLowerCase();
}

/** Declared dims of a value info: numbers, symbolic names, or null when unknown. */
export function declaredShape(v: ValueInfo): Array<number | string | null> | null {
  const shape = v.type?.tensorType?.shape;
  if (!shape) return null;
  return shape.dim.map((d) => (d.dimValue != null && Number(d.dimValue) > 0 ? Number(d.dimValue) : d.dimParam || null));
}

/** A float tensor value info with the given dims (strings for symbolic dims, null for unknown). */
export function floatValueInfo(name: string, dims?: Array<number | string | null>): ValueInfo {
  const shape = dims
    ? onnx.TensorShapeProto.create({
        dim: dims.map((d) =>
          typeof d === 'number'
            ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
            : onnx.TensorShapeProto.Dimension.create(d ? { dimParam: d } : {}),
        ),
      })
    : undefined;
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: DataType.FLOAT, shape }) }),
  }) as unknown as ValueInfo;
}

type AttrValue = number | number[] | string;

/** Builds a node; integer attributes become INT/INTS, strings STRING. */
export function makeNode(op: string, inputs: string[], outputs: string[], name: string, attrs: Record<string, AttrValue> = {}): Node {
  const attribute = Object.entries(attrs).map(([key, value]) => {
    const A = onnx.AttributeProto;
    if (typeof value === 'string') return A.create({ name: key, type: A.AttributeType.STRING, s: new TextEncoder().encode(value) });
    if (Array.isArray(value)) return A.create({ name: key, type: A.AttributeType.INTS, ints: value });
    return Number.isInteger(value)
      ? A.create({ name: key, type: A.AttributeType.INT, i: value })
      : A.create({ name: key, type: A.AttributeType.FLOAT, f: value });
  });
  return onnx.NodeProto.create({ opType: op, input: inputs, output: outputs, name, attribute }) as unknown as Node;
}

/** An int64 1-D constant initializer. */
export function int64Initializer(name: string, values: number[]): Tensor {
  return onnx.TensorProto.create({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values }) as unknown as Tensor;
}

/** Names of graph inputs that are real inputs (not initializers listed as inputs, as old exporters do). */
export function realInputs(graph: Graph): ValueInfo[] {
  const inits = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((i) => !inits.has(i.name));
}

/** A name not yet used by any tensor or node in the graph, built from `base`. */
export function freshNamer(graph: Graph): (base: string) => string {
  const used = new Set<string>();
  for (const n of graph.node) {
    used.add(n.name);
    n.input.forEach((x) => used.add(x));
    n.output.forEach((x) => used.add(x));
  }
  graph.input.forEach((v) => used.add(v.name));
  graph.output.forEach((v) => used.add(v.name));
  graph.initializer.forEach((t) => used.add(t.name));
  return (base: string) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}

/** Number of scalar elements in an initializer. */
export function tensorSize(t: Tensor): number {
  return t.dims.reduce((a, d) => a * Number(d), 1);
}
