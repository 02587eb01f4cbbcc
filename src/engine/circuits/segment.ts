/**
 * The part of a graph between two layers, as a model of its own: its inputs are the lower layer
 * and any other tensor the segment reads that does not depend on it ("side" inputs, e.g. a skip
 * connection from further down in a DenseNet), its output the upper tensor. CLA differentiates
 * this segment only, so the rows it replicates (image × upper unit) never rerun the layers below.
 * Nodes that depend neither on the lower layer nor on a graph input (constants, shape arithmetic
 * on initializers) stay inside.
 */
import { LabError } from '../errors';
import { floatValueInfo, realInputs } from '../onnx/graph';
import { cloneModel, type Model } from '../onnx/model';
import { ancestorNodes } from '../onnx/prefix';

export interface Segment {
  model: Model;
  /** Inputs besides the lower layer, to be fed from a forward run of the whole model. */
  sides: string[];
}

export function segmentModel(model: Model, lower: string, upper: string, dims: Record<string, number[]>): Segment {
  const out = cloneModel(model);
  const graph = out.graph;
  const needed = ancestorNodes(graph.node, upper);
  const fromLower = new Set([lower]);
  const fromInput = new Set(realInputs(graph).map((v) => v.name));
  for (const n of needed) {
    if (n.input.some((x) => fromLower.has(x))) n.output.forEach((o) => fromLower.add(o));
    if (n.input.some((x) => fromInput.has(x))) n.output.forEach((o) => fromInput.add(o));
  }
  if (!fromLower.has(upper)) throw new LabError('bad-request', `${upper} does not depend on ${lower}: list the circuit's layers from input to output.`);
  // Keep what depends on the lower layer, and constant work; what depends only on the input is fed.
  const nodes = needed.filter((n) => n.output.some((o) => fromLower.has(o)) || !n.output.some((o) => fromInput.has(o)));
  const produced = new Set(nodes.flatMap((n) => n.output));
  const inits = new Set(graph.initializer.map((t) => t.name));
  const sides = [...new Set(nodes.flatMap((n) => n.input))].filter((x) => x && x !== lower && !produced.has(x) && !inits.has(x));
  graph.node = nodes.filter((n) => !n.output.includes(lower));
  const used = new Set(graph.node.flatMap((n) => n.input));
  graph.initializer = graph.initializer.filter((t) => used.has(t.name));
  const inputOf = (t: string) => {
    const d = dims[t];
    if (!d) throw new LabError('internal', `No dry-run shape for "${t}".`);
    return floatValueInfo(t, ['N', ...d.slice(1)]);
  };
  graph.input = [inputOf(lower), ...sides.map(inputOf)];
  graph.valueInfo = [];
  graph.output = [floatValueInfo(upper)];
  return { model: out, sides };
}
