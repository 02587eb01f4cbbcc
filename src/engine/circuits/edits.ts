/**
 * Circuit edits applied to every run of a model, as graph surgery on a copy:
 * - unit: y[:, u] · scale, by a constant Mul after the layer's producer (all consumers see it);
 * - edge (m of layer A → n of layer B): where B is one Conv of A (or that Conv followed only by
 *   per-channel ops: Relu, BatchNormalization, Identity), the Conv weight slice W[n, m] is zeroed
 *   in a copy of the initializer (a shared weight is copied, not changed in place).
 * The model keeps its inputs and outputs, so probes, masks and gradient graphs build on it as on
 * the original.
 */
import { LabError } from '../errors';
import { tensorValues } from '../onnx/backward/builder';
import { freshNamer, makeNode } from '../onnx/graph';
import { cloneModel, onnx, type Graph, type Model, type Node, type Tensor } from '../onnx/model';
import type { CircuitEdit, UnitRef } from './types';

/** Static dims per tensor (a dry run's TensorShapes, or built from a summary's layers). */
export interface EditShapes {
  dims: Record<string, number[]>;
}

const PER_CHANNEL = new Set(['Relu', 'BatchNormalization', 'Identity']);

function producer(graph: Graph, tensor: string): Node | undefined {
  return graph.node.find((n) => n.output.includes(tensor));
}

/** The Conv joining layer `from` to layer `to`, or a clear error. */
export function joiningConv(graph: Graph, from: string, to: string): Node {
  let node = producer(graph, to);
  const path: string[] = [];
  while (node && PER_CHANNEL.has(node.opType)) {
    path.push(node.opType);
    node = producer(graph, node.input[0]);
  }
  if (!node || node.opType !== 'Conv' || node.input[0] !== from) {
    throw new LabError('bad-request', `No single Conv joins ${from} to ${to}: an edge can be pruned only where the upper layer is one Conv of the lower one (then Relu/BatchNorm at most).`);
  }
  return node;
}

function pruneEdge(graph: Graph, from: UnitRef, to: UnitRef, copied: Set<string>): void {
  const conv = joiningConv(graph, from.layer, to.layer);
  const wName = conv.input[1];
  const index = graph.initializer.findIndex((t) => t.name === wName);
  if (index < 0) throw new LabError('unsupported-op', `The weight of Conv "${conv.name}" is not an initializer; it cannot be pruned.`);
  let w = graph.initializer[index];
  const [O, Ig, ...k] = w.dims.map(Number);
  const group = Number(conv.attribute.find((a) => a.name === 'group')?.i ?? 1);
  const perGroupOut = O / group;
  if (to.unit < 0 || to.unit >= O) throw new LabError('bad-request', `Unit ${to.unit} is out of range for ${to.layer} (0..${O - 1}).`);
  const g = Math.floor(to.unit / perGroupOut);
  const m = from.unit - g * Ig;
  if (from.unit < 0 || m < 0 || m >= Ig) throw new LabError('bad-request', `Unit ${from.unit} of ${from.layer} does not feed unit ${to.unit} of ${to.layer} (grouped Conv "${conv.name}").`);
  if (!copied.has(wName)) {
    // A fresh float copy under a new name, so a weight shared with another node stays intact.
    const values = Float32Array.from(tensorValues(w));
    const name = freshNamer(graph)(`${wName}:edited`);
    w = onnx.TensorProto.create({ name, dims: w.dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(values.buffer) }) as unknown as Tensor;
    graph.initializer.push(w);
    conv.input[1] = name;
    copied.add(name);
  } else w = graph.initializer.find((t) => t.name === wName)!;
  const raw = w.rawData!;
  const view = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const kk = k.reduce((a, d) => a * d, 1);
  view.fill(0, (to.unit * Ig + m) * kk, (to.unit * Ig + m + 1) * kk);
}

export function applyEdits(model: Model, edits: readonly CircuitEdit[], shapes: EditShapes): Model {
  if (edits.length === 0) return model;
  const out = cloneModel(model);
  const graph = out.graph;
  const copied = new Set<string>();
  for (const e of edits) if (e.kind === 'edge') pruneEdge(graph, e.from, e.to, copied);

  const scales = new Map<string, Float32Array>();
  for (const e of edits) {
    if (e.kind !== 'unit') continue;
    const dims = shapes.dims[e.layer];
    if (!dims || dims.length < 2) throw new LabError('bad-request', `Unknown layer "${e.layer}" to edit.`);
    if (!Number.isInteger(e.unit) || e.unit < 0 || e.unit >= dims[1]) throw new LabError('bad-request', `Unit ${e.unit} is out of range for ${e.layer} (0..${dims[1] - 1}).`);
    if (!Number.isFinite(e.scale)) throw new LabError('bad-request', `The scale of ${e.layer}:${e.unit} must be a finite number.`);
    const s = scales.get(e.layer) ?? new Float32Array(dims[1]).fill(1);
    s[e.unit] *= e.scale;
    scales.set(e.layer, s);
  }
  const fresh = freshNamer(graph);
  for (const [layer, s] of scales) {
    const index = graph.node.findIndex((n) => n.output.includes(layer));
    if (index < 0) throw new LabError('bad-request', `Cannot edit "${layer}": no node produces it.`);
    const dims = shapes.dims[layer];
    const raw = fresh(`${layer}:unedited`);
    graph.node[index].output = graph.node[index].output.map((o) => (o === layer ? raw : o));
    const scaleName = fresh(`edit_scale:${layer}`);
    graph.initializer.push(
      onnx.TensorProto.create({ name: scaleName, dims: [1, dims[1], ...dims.slice(2).map(() => 1)], dataType: onnx.TensorProto.DataType.FLOAT, floatData: Array.from(s) }) as unknown as Tensor,
    );
    graph.node.splice(index + 1, 0, makeNode('Mul', [raw, scaleName], [layer], fresh(`edit/${layer}`)));
  }
  return out;
}

/** EditShapes from a model summary's layers (batch-1 shapes). */
export function shapesOfLayers(layers: ReadonlyArray<{ tensor: string; shape: number[] }>): EditShapes {
  return { dims: Object.fromEntries(layers.map((l) => [l.tensor, l.shape])) };
}
