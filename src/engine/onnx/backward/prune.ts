/**
 * Which forward nodes the backward pass visits: those on a path from a wrt tensor to a target
 * tensor, following only differentiable inputs (a Reshape's shape input, say, is not one).
 * Forward reachability from the wrt tensors, backward reachability from the targets; a node is
 * kept when a differentiable input is reachable from a wrt tensor and an output reaches a target.
 */
import type { Graph, Node } from '../model';
import { NOT_DIFFERENTIABLE, RULES } from './rules';

/** Indices of a node's inputs that gradients flow through. */
export function differentiableInputs(node: Node): number[] {
  const rule = node.domain && node.domain !== 'ai.onnx' ? undefined : RULES[node.opType];
  const all = node.input.map((_, i) => i);
  if (rule) return rule.inputs === 'all' ? all : rule.inputs.filter((i) => i < node.input.length);
  if (NOT_DIFFERENTIABLE.has(node.opType)) return [];
  return all; // unknown op: assume it is differentiable everywhere, so it is reported if on a path
}

export interface Path {
  /** Forward nodes to differentiate, in forward (topological) order. */
  nodes: Node[];
  /** Tensors whose value depends on a wrt tensor. */
  dependsOnWrt: Set<string>;
}

export function differentiationPath(graph: Graph, wrt: string[], targets: string[]): Path {
  const fwd = new Set(wrt);
  const diff = graph.node.map(differentiableInputs);
  graph.node.forEach((node, k) => {
    if (diff[k].some((i) => node.input[i] && fwd.has(node.input[i]))) node.output.forEach((o) => o && fwd.add(o));
  });
  const bwd = new Set(targets);
  for (let k = graph.node.length - 1; k >= 0; k--) {
    const node = graph.node[k];
    if (node.output.some((o) => o && bwd.has(o))) diff[k].forEach((i) => node.input[i] && bwd.add(node.input[i]));
  }
  const nodes = graph.node.filter(
    (node, k) => diff[k].some((i) => node.input[i] && fwd.has(node.input[i])) && node.output.some((o) => o && bwd.has(o)),
  );
  return { nodes, dependsOnWrt: fwd };
}
