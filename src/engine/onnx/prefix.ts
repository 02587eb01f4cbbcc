/**
 * Prefix surgery: the part of a graph that computes one tensor. Timing the prefix ending at each
 * node tells where a model's time goes in a runtime that has no per-node profiler (onnxruntime-web's
 * WASM build logs none): a node's own cost is its prefix's time minus that of its costliest input.
 */
import { cloneModel, type Model, type Node } from './model';
import { floatValueInfo } from './graph';

/** The nodes that `tensor` depends on (itself included), in graph order. */
export function ancestorNodes(nodes: readonly Node[], tensor: string): Node[] {
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output) producer.set(o, n);
  if (!producer.has(tensor)) throw new Error(`No node produces "${tensor}".`);
  const keep = new Set<Node>();
  const stack = [tensor];
  while (stack.length) {
    const node = producer.get(stack.pop()!);
    if (!node || keep.has(node)) continue;
    keep.add(node);
    stack.push(...node.input.filter((x) => x !== ''));
  }
  return nodes.filter((n) => keep.has(n));
}

/**
 * A model whose one output is `tensor` (float, shape left to the runtime), holding only the nodes,
 * initializers and inputs it needs. The original model is not modified.
 */
export function prefixModel(model: Model, tensor: string): Model {
  const out = cloneModel(model);
  const graph = out.graph;
  graph.node = ancestorNodes(graph.node, tensor);
  const used = new Set(graph.node.flatMap((n) => n.input));
  graph.initializer = graph.initializer.filter((t) => used.has(t.name));
  graph.input = graph.input.filter((v) => used.has(v.name));
  const produced = new Set(graph.node.flatMap((n) => n.output));
  graph.valueInfo = graph.valueInfo.filter((v) => produced.has(v.name) && v.name !== tensor);
  graph.output = [graph.output.find((v) => v.name === tensor) ?? floatValueInfo(tensor)];
  return out;
}
