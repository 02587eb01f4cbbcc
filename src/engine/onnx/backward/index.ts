/**
 * Backward graphs as ONNX (onnxruntime-web has no autodiff): one model that returns the forward
 * outputs, the target's value per image and d(target)/d(wrt) for each requested tensor, built by
 * composing the vector-Jacobian products of the forward ops (./rules, one small module per op
 * family, looked up in the RULES table) in reverse topological order.
 *
 * - Only the nodes between the wrt tensors and the target are differentiated (./prune), and
 *   only through differentiable inputs (not a Reshape's shape, say).
 * - The seed d(target)/d(layer) is a constant Expanded to Shape(layer) (./seed).
 * - Gradients reaching a tensor from several consumers are summed (one Sum node).
 * - Forward tensors the VJPs need (Relu/Sigmoid outputs, Mul operands, MaxPool indices) are the
 *   forward part's own tensors in the same graph, never recomputed.
 * - Static sizes (ConvTranspose pads/output_padding, pool divisors, Concat offsets, broadcast
 *   axes) come from a dry run (tensorShapes). Choice: static rather than Shape/Pad/Slice
 *   arithmetic in the graph, because ConvTranspose's attributes are static anyway and a strided
 *   conv's adjoint needs the input size mod the stride. The batch stays dynamic (the dry run uses
 *   batch 2, so size-1 axes are known to be broadcast axes); the image size is the dry run's.
 * - Conv: ConvTranspose with the forward weights; at stride 1 a Conv with the flipped kernel
 *   (faster in onnxruntime; see rules/conv.ts). MaxPool: ScatterElements(add) over the forward
 *   node's Indices output (opset ≥ 16), else MaxUnpool over non-overlapping window sub-grids.
 * - Shape arithmetic (Shape, Gather, Div… feeding a Reshape, Slice or Pad, as exports with a
 *   dynamic batch have it) is never differentiated; a Slice or Pad whose starts/pads it computes
 *   gets its adjoint's pads computed in the graph as well (rules/shape.ts).
 * - An op with no rule on the path is a LabError('unsupported-op') naming the op and the node.
 *
 * Kinks (Relu at 0, MaxPool ties) take PyTorch's conventions: the derivative of Relu at 0 is 0,
 * a MaxPool window's gradient goes to the element onnxruntime's forward pass picked.
 */
import { LabError } from '../../errors';
import type { Runtime } from '../../runtime/types';
import { floatValueInfo, realInputs } from '../graph';
import { cloneModel, opsetVersion, type Model } from '../model';
import { findImageInput } from '../summary';
import { Builder } from './builder';
import { differentiableInputs, differentiationPath } from './prune';
import { RULES } from './rules';
import { buildSeeds } from './seed';
import { tensorShapes, type ShapeOptions } from './shapes';
import type { GradientModel, GradientOptions } from './types';

export type { GradientModel, GradientOptions, GradientTarget, Reduce, TensorShapes } from './types';
export { tensorShapes } from './shapes';
export { RULES } from './rules';

export function buildGradientModel(model: Model, options: GradientOptions): GradientModel {
  const out = cloneModel(model);
  const graph = out.graph;
  const b = new Builder({ graph, opset: opsetVersion(model), shapes: options.shapes });
  b.maxPool = options.maxPool ?? 'auto';
  b.convAdjoint = options.convAdjoint ?? 'auto';

  const known = new Set<string>([
    ...graph.node.flatMap((n) => n.output),
    ...graph.input.map((v) => v.name),
    ...graph.initializer.map((t) => t.name),
  ]);
  const exists = (t: string) => !!t && known.has(t);
  if (options.wrt.length === 0) throw new LabError('bad-request', 'Nothing to differentiate with respect to (wrt is empty).');
  const wrt = options.wrt.map((name) => {
    if (exists(name)) return name;
    if (name === 'input' && realInputs(graph).length > 0) return findImageInput(model).name;
    throw new LabError('bad-request', `Unknown tensor "${name}" to differentiate with respect to.`);
  });

  const { seeds, value, tensors } = buildSeeds(b, graph, options.target, exists);
  const path = differentiationPath(graph, wrt, tensors);

  // Gradient contributions per tensor, summed on first use.
  const parts = new Map<string, string[]>();
  const summed = new Map<string, string>();
  const add = (t: string, g: string) => {
    if (summed.has(t)) throw new LabError('internal', `Gradient of "${t}" arrived after it was used.`);
    parts.set(t, [...(parts.get(t) ?? []), g]);
  };
  const take = (t: string): string | null => {
    const done = summed.get(t);
    if (done) return done;
    const list = parts.get(t);
    if (!list?.length) return null;
    const g = list.length === 1 ? list[0] : b.op('Sum', list);
    summed.set(t, g);
    return g;
  };
  for (const s of seeds) add(s.tensor, s.grad);

  for (let k = path.nodes.length - 1; k >= 0; k--) {
    const node = path.nodes[k];
    b.current = node;
    const dY = node.output.map((o) => (o ? take(o) : null));
    if (dY.every((g) => g === null)) continue;
    const custom = node.domain && node.domain !== 'ai.onnx';
    const rule = custom ? undefined : RULES[node.opType];
    if (!rule) {
      throw new LabError(
        'unsupported-op',
        `Cannot build gradients through ${custom ? `${node.domain}.` : ''}${node.opType} (node "${node.name}"): no backward rule for this op.`,
      );
    }
    const diff = new Set(differentiableInputs(node));
    const needs = node.input.map((x, i) => !!x && diff.has(i) && path.dependsOnWrt.has(x));
    const grads = rule.vjp({ b, node, dY, needs });
    needs.forEach((need, i) => {
      if (!need) return;
      const g = grads[i];
      if (!g) throw new LabError('internal', `The ${node.opType} rule gave no gradient for input ${i} of "${node.name}".`);
      add(node.input[i], g);
    });
  }
  b.current = null;

  const grads: Record<string, string> = {};
  options.wrt.forEach((name, i) => {
    const t = wrt[i];
    const g = take(t) ?? b.zerosLike(t);
    const outName = b.fresh(`grad:${name}`);
    b.emit('Identity', [g], [outName]);
    grads[name] = outName;
  });
  const targetName = b.fresh('target:value');
  b.emit('Identity', [value], [targetName]);

  const forward = graph.output.map((o) => o.name);
  graph.node.push(...b.nodes);
  graph.initializer.push(...b.initializers);
  graph.output.push(floatValueInfo(targetName, ['N']), ...Object.values(grads).map((g) => floatValueInfo(g)));
  return { model: out, outputs: { grads, target: targetName, forward }, differentiated: path.nodes.length };
}

/** Dry run for shapes, then buildGradientModel: the one call most callers need. */
export async function gradientModel(
  runtime: Runtime,
  model: Model,
  options: Omit<GradientOptions, 'shapes'>,
  shapeOptions: ShapeOptions = {},
): Promise<GradientModel> {
  const shapes = await tensorShapes(runtime, model, shapeOptions);
  return buildGradientModel(model, { ...options, shapes });
}
