/**
 * The backward builder: appends ONNX nodes and constants to a (cloned) forward graph, and answers
 * the questions rules ask about the forward graph — static shapes from the dry run, constant
 * values, attributes — so that each rule stays a few lines of ONNX.
 */
import { LabError } from '../../errors';
import { onnx, type Attribute, type Graph, type Node, type Tensor } from '../model';
import { freshNamer } from '../graph';
import type { TensorShapes } from './types';

const { DataType } = onnx.TensorProto;
const A = onnx.AttributeProto;

/** An attribute value: numbers are INT unless wrapped with `float()`; arrays of numbers are INTS. */
export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };
export const float = (v: number) => ({ float: v });

function makeAttr(name: string, value: AttrValue): Attribute {
  let a;
  if (typeof value === 'string') a = A.create({ name, type: A.AttributeType.STRING, s: new TextEncoder().encode(value) });
  else if (Array.isArray(value)) a = A.create({ name, type: A.AttributeType.INTS, ints: value });
  else if (typeof value === 'number') a = A.create({ name, type: A.AttributeType.INT, i: value });
  else if ('float' in value) a = A.create({ name, type: A.AttributeType.FLOAT, f: value.float });
  else a = A.create({ name, type: A.AttributeType.FLOATS, floats: value.floats });
  return a as unknown as Attribute;
}

/** A node with typed attributes (unlike graph.ts makeNode, a float attribute stays FLOAT via `float()`). */
export function makeNodeTyped(op: string, inputs: string[], outputs: string[], name: string, attributes: Record<string, AttrValue> = {}): Node {
  return onnx.NodeProto.create({
    opType: op,
    input: inputs,
    output: outputs,
    name,
    attribute: Object.entries(attributes).map(([k, v]) => makeAttr(k, v)),
  }) as unknown as Node;
}

/** Attribute readers over a forward node. */
export function attrs(node: Node) {
  const find = (name: string) => node.attribute.find((a) => a.name === name);
  return {
    has: (name: string) => find(name) !== undefined,
    int: (name: string, dflt: number): number => {
      const a = find(name);
      return a ? Number(a.i) : dflt;
    },
    ints: (name: string, dflt: number[] | null): number[] | null => {
      const a = find(name);
      return a ? a.ints.map(Number) : dflt;
    },
    float: (name: string, dflt: number): number => {
      const a = find(name);
      return a ? Number(a.f) : dflt;
    },
    str: (name: string, dflt: string): string => {
      const a = find(name);
      return a?.s ? new TextDecoder().decode(a.s) : dflt;
    },
  };
}

/** Numeric values of a tensor proto (float, double, int32, int64, bool/uint8; raw or typed fields). */
export function tensorValues(t: Tensor): number[] {
  const raw = t.rawData;
  if (raw && raw.byteLength > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out: number[] = [];
    switch (t.dataType) {
      case DataType.FLOAT:
        for (let i = 0; i < raw.byteLength; i += 4) out.push(view.getFloat32(i, true));
        return out;
      case DataType.DOUBLE:
        for (let i = 0; i < raw.byteLength; i += 8) out.push(view.getFloat64(i, true));
        return out;
      case DataType.INT32:
        for (let i = 0; i < raw.byteLength; i += 4) out.push(view.getInt32(i, true));
        return out;
      case DataType.INT64:
        for (let i = 0; i < raw.byteLength; i += 8) out.push(Number(view.getBigInt64(i, true)));
        return out;
      case DataType.BOOL:
      case DataType.UINT8:
        for (let i = 0; i < raw.byteLength; i++) out.push(view.getUint8(i));
        return out;
      default:
        throw new LabError('unsupported-op', `Cannot read a constant "${t.name}" of data type ${t.dataType}.`);
    }
  }
  if (t.floatData?.length) return t.floatData.map(Number);
  if (t.doubleData?.length) return t.doubleData.map(Number);
  if (t.int64Data?.length) return t.int64Data.map(Number);
  // int32_data also holds bool, int8/16 and uint8/16 values.
  if (t.int32Data?.length) return t.int32Data.map(Number);
  return [];
}

export interface BuilderInit {
  graph: Graph;
  opset: number;
  shapes?: TensorShapes;
}

export class Builder {
  readonly graph: Graph;
  readonly opset: number;
  readonly shapes?: TensorShapes;
  /** Backward nodes, in execution order; appended after the forward nodes at the end. */
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  readonly fresh: (base: string) => string;
  /** MaxPool backward strategy (see GradientOptions.maxPool). */
  maxPool: 'auto' | 'scatter' | 'unpool' = 'auto';
  /** Conv backward form (see GradientOptions.convAdjoint). */
  convAdjoint: 'auto' | 'convtranspose' = 'auto';
  /** The forward node being differentiated; names of new nodes are derived from it. */
  current: Node | null = null;
  private readonly inits = new Map<string, Tensor>();
  private readonly constNodes = new Map<string, Node>();
  private readonly shapeCache = new Map<string, string>();
  private readonly scalarCache = new Map<number, string>();
  private readonly i64Cache = new Map<string, string>();

  constructor({ graph, opset, shapes }: BuilderInit) {
    this.graph = graph;
    this.opset = opset;
    this.shapes = shapes;
    this.fresh = freshNamer(graph);
    for (const t of graph.initializer) this.inits.set(t.name, t);
    for (const n of graph.node) if (n.opType === 'Constant' && n.output[0]) this.constNodes.set(n.output[0], n);
  }

  // ---- emitting -------------------------------------------------------------------------

  /** Appends a node with `outputs` fresh outputs; returns their names. */
  opN(op: string, inputs: string[], outputs: number, attributes: Record<string, AttrValue> = {}): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(`${this.base()}/${op}_output`));
    this.emit(op, inputs, outs, attributes);
    return outs;
  }

  /** Appends a node writing the given output names. */
  emit(op: string, inputs: string[], outputs: string[], attributes: Record<string, AttrValue> = {}): void {
    this.nodes.push(makeNodeTyped(op, inputs, outputs, this.fresh(`${this.base()}/${op}`), attributes));
  }

  private base(): string {
    return this.current ? `grad/${this.current.name || this.current.output[0]}` : 'grad';
  }

  op(op: string, inputs: string[], attributes: Record<string, AttrValue> = {}): string {
    return this.opN(op, inputs, 1, attributes)[0];
  }

  /** A float32 constant initializer. */
  constF(values: ArrayLike<number>, dims: number[], hint = 'grad_const'): string {
    const name = this.fresh(hint);
    const t = onnx.TensorProto.create({ name, dims, dataType: DataType.FLOAT, floatData: Array.from(values) }) as unknown as Tensor;
    this.initializers.push(t);
    return name;
  }

  /** A float32 scalar (rank 0) constant, shared by value. */
  scalar(v: number): string {
    const key = Math.fround(v);
    let name = this.scalarCache.get(key);
    if (!name) {
      name = this.constF([v], [], 'grad_scalar');
      this.scalarCache.set(key, name);
    }
    return name;
  }

  /** An int64 constant (1-D unless `scalar`), shared by value. */
  constI64(values: number[], scalar = false): string {
    const key = `${scalar ? 's' : 'v'}:${values.join(',')}`;
    let name = this.i64Cache.get(key);
    if (!name) {
      name = this.fresh('grad_i64');
      this.initializers.push(
        onnx.TensorProto.create({ name, dims: scalar ? [] : [values.length], dataType: DataType.INT64, int64Data: values }) as unknown as Tensor,
      );
      this.i64Cache.set(key, name);
    }
    return name;
  }

  /** Shape(t), one node per tensor. */
  shapeOf(t: string): string {
    let s = this.shapeCache.get(t);
    if (!s) {
      s = this.op('Shape', [t]);
      this.shapeCache.set(t, s);
    }
    return s;
  }

  /** Reshape(x) to the (dynamic) shape of `like`. */
  reshapeLike(x: string, like: string): string {
    return this.op('Reshape', [x, this.shapeOf(like)]);
  }

  /** ReduceSum over `axes` (attribute before opset 13, input since). */
  reduceSum(x: string, axes: number[], keepdims: boolean): string {
    return this.reduce('ReduceSum', x, axes, keepdims);
  }

  /** A Reduce* op over `axes`: axes are an input since opset 13 for ReduceSum, 18 for the others. */
  reduce(op: string, x: string, axes: number[], keepdims: boolean): string {
    if (axes.length === 0) return x;
    const asInput = this.opset >= (op === 'ReduceSum' ? 13 : 18);
    if (asInput) return this.op(op, [x, this.constI64(axes)], { keepdims: keepdims ? 1 : 0 });
    return this.op(op, [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  /** Unsqueeze at `axes` (attribute before opset 13, input since). */
  unsqueeze(x: string, axes: number[]): string {
    if (axes.length === 0) return x;
    if (this.opset >= 13) return this.op('Unsqueeze', [x, this.constI64(axes)]);
    return this.op('Unsqueeze', [x], { axes });
  }

  /** Slice(x) along `axes` (inputs since opset 10). */
  slice(x: string, starts: number[], ends: number[], axes: number[], steps?: number[]): string {
    if (this.opset < 10) throw this.unsupported(`its backward needs Slice with inputs (opset 10); the model has opset ${this.opset}`);
    const inputs = [x, this.constI64(starts), this.constI64(ends), this.constI64(axes)];
    if (steps) inputs.push(this.constI64(steps));
    return this.op('Slice', inputs);
  }

  /** Constant-mode Pad by static `pads` ([begin…, end…], attribute before opset 11, input since). */
  pad(x: string, pads: number[]): string {
    if (pads.every((p) => p === 0)) return x;
    if (this.opset >= 11) return this.op('Pad', [x, this.constI64(pads)], { mode: 'constant' });
    return this.op('Pad', [x], { mode: 'constant', pads });
  }

  /** Zeros shaped like `t` (float32). */
  zerosLike(t: string): string {
    return this.op('ConstantOfShape', [this.shapeOf(t)]);
  }

  /**
   * Sums the broadcast gradient `g` (shaped like `out`) back to the shape of operand `x`:
   * ReduceSum over the leading axes `x` lacks and the axes where `x` has size 1 and `out` not.
   */
  reduceTo(g: string, x: string, out: string): string {
    const xd = this.dims(x);
    const od = this.dims(out);
    if (xd && od) return this.reduceToDims(g, od, x, xd);
    // Without static shapes only same-shape operands are safe.
    throw this.needShapes(`${x} (broadcast reduction)`);
  }

  /** reduceTo with the gradient's static dims `gd` given. */
  reduceToDims(g: string, gd: number[], x: string, xd = this.requireDims(x)): string {
    if (xd.length === gd.length && xd.every((d, i) => d === gd[i])) return g;
    const lead = gd.length - xd.length;
    const axes: number[] = [];
    for (let i = 0; i < gd.length; i++) {
      if (i < lead || (xd[i - lead] === 1 && gd[i] !== 1)) axes.push(i);
    }
    const r = this.reduceSum(g, axes, true);
    // A lower-rank operand is broadcast over the leading axes (batch included): its dims are static.
    return lead > 0 ? this.op('Reshape', [r, this.constI64(xd)]) : r;
  }

  // ---- reading the forward graph ---------------------------------------------------------

  /** Static dims of a tensor: dry-run shapes, initializer dims, or a Constant node's value. */
  dims(t: string): number[] | null {
    const s = this.shapes?.dims[t];
    if (s) return s;
    const init = this.inits.get(t);
    if (init) return init.dims.map(Number);
    const c = this.constNodes.get(t)?.attribute.find((a) => a.name === 'value')?.t;
    if (c) return c.dims.map(Number);
    return null;
  }

  requireDims(t: string): number[] {
    const d = this.dims(t);
    if (!d) throw this.needShapes(t);
    return d;
  }

  needShapes(what: string): LabError {
    const node = this.current ? ` for ${this.current.opType} node "${this.current.name}"` : '';
    return new LabError(
      'bad-request',
      `The backward graph needs the static shape of "${what}"${node}; pass shapes from a dry run (tensorShapes).`,
    );
  }

  /** Values of a constant tensor (initializer or Constant node), or null when computed. */
  constValue(t: string): number[] | null {
    if (!t) return null;
    const init = this.inits.get(t);
    if (init) return tensorValues(init);
    const node = this.constNodes.get(t);
    if (!node) return null;
    const a = node.attribute.find((x) => ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'].includes(x.name));
    if (!a) return null;
    if (a.name === 'value') return a.t ? tensorValues(a.t) : null;
    if (a.name === 'value_float') return [Number(a.f)];
    if (a.name === 'value_int') return [Number(a.i)];
    if (a.name === 'value_floats') return a.floats.map(Number);
    return a.ints.map(Number);
  }

  unsupported(why: string): LabError {
    const n = this.current;
    return new LabError('unsupported-op', `Cannot differentiate ${n?.opType} node "${n?.name}": ${why}.`);
  }
}
