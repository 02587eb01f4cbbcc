/**
 * What feature visualisation maximises for a unit — always before the ReLU when the layer is a
 * Relu's output (Lucid's "pre_relu" objectives): a ReLU unit that is off everywhere on the
 * starting grey image has zero gradient and would never move; its input has a gradient
 * everywhere and raising it raises the unit.
 *
 * - 'max' (default): a smooth spatial max, Σ_p softmax(y/T)_p · y_p over the map's positions p
 *   (the Boltzmann operator; at most max_p y_p, and near it once one peak stands out), so the
 *   visualisation competes with the best exemplar on the lab's exemplar score, the spatial max.
 *   Units whose best exemplars are localised peaks need it: raising the mean spreads a pattern
 *   thin and loses to the exemplar's peak. Why smooth: the hard max's gradient reaches one
 *   position, which jumps as the jitter moves the image, and samples stall (bench/RESULTS.md:
 *   the hard max left samples below the best exemplar on 6 of 8 units, the smooth max none).
 * - 'mean': the channel's spatial mean (Lucid's "channel" objective): a texture filling the image.
 *
 * The model has no such output, so 'max' appends it: Reshape to [N,C,H·W] (a token layer: its
 * patch tokens transposed to [N,C,P]), Softmax over the positions of y/T, times y — ops that have
 * backward rules — and the target is that product's channel summed over the positions. For an [N,C] layer (no spatial axes) both are the unit.
 */
import { LabError } from '../errors';
import { freshNamer, int64Initializer, makeNode } from '../onnx/graph';
import { cloneModel, onnx, type Model, type Tensor } from '../onnx/model';
import type { GradientTarget } from '../onnx/backward';
import type { TokenLayout } from '../types';
import type { FeatureObjective } from './settings';

/**
 * Temperature of the smooth max, in the unit's own activation scale. Chosen on the built-in
 * models (stage3.block0.relu2, 8 units, 3 seeds): 1 left samples stalled like the hard max, 3
 * fell back towards the mean (bench/RESULTS.md).
 */
export const MAX_TEMPERATURE = 2;

export interface FeatureObjectivePlan {
  /** The model to build the gradient session from: the original, or a copy with the objective appended. */
  model: Model;
  target: GradientTarget;
  /** The tensor maximised (the Relu's input for a ReLU layer). */
  tensor: string;
}

/** The tensor feature visualisation works on for a layer: the Relu's input for a ReLU layer. */
export function preRelu(model: Model, tensor: string): string {
  const producer = model.graph.node.find((n) => n.output.includes(tensor));
  return producer?.opType === 'Relu' && producer.input[0] ? producer.input[0] : tensor;
}

/**
 * The objective of `unit` of layer `tensor` (dims [N,C,H,W] or [N,C], or [N,T,C] with its token
 * layout, the batch entry ignored). The plan's model is a new copy for 'max' at a spatial layer,
 * the given model otherwise. A token layer's positions are its patch tokens.
 */
export function featureObjective(
  model: Model,
  tensor: string,
  dims: readonly number[],
  unit: number,
  objective: FeatureObjective,
  tokens?: TokenLayout,
): FeatureObjectivePlan {
  const pre = preRelu(model, tensor);
  if (objective !== 'max' && objective !== 'mean') throw new LabError('bad-request', `Unknown objective "${String(objective)}" (max or mean).`);
  if (dims.length === 2) return { model, target: { kind: 'unit', tensor: pre, unit, reduce: 'sum' }, tensor: pre };
  const isTokens = dims.length === 3 && !!tokens;
  if (dims.length !== 4 && !isTokens) throw new LabError('bad-request', `Feature visualisation needs a [N,C,H,W], [N,T,C] token or [N,C] layer (got rank ${dims.length}).`);
  if (objective === 'mean') return { model, target: { kind: 'unit', tensor: pre, unit, reduce: 'mean', ...(isTokens ? { tokens } : {}) }, tensor: pre };

  const out = cloneModel(model);
  const g = out.graph;
  const fresh = freshNamer(g);
  const invT = fresh('featvis_inverse_temperature');
  g.initializer.push(floatScalar(invT, 1 / MAX_TEMPERATURE));
  const [y, scaled, weights, weighted] = ['positions', 'scaled', 'softmax', 'smooth_max'].map((s) => fresh(`featvis:${s}:${pre}`));
  if (tokens && isTokens) {
    // [N,T,C] → the patch tokens [N,P,C] → [N,C,P].
    const [from, to, axis] = ['featvis_patches_start', 'featvis_patches_end', 'featvis_patches_axis'].map((s) => fresh(s));
    g.initializer.push(int64Initializer(from, [tokens.prefix]), int64Initializer(to, [Number.MAX_SAFE_INTEGER]), int64Initializer(axis, [1]));
    const patches = fresh(`featvis:patches:${pre}`);
    g.node.push(
      makeNode('Slice', [pre, from, to, axis], [patches], fresh('featvis/patches')),
      makeNode('Transpose', [patches], [y], fresh('featvis/positions'), { perm: [0, 2, 1] }),
    );
  } else {
    const shape = fresh('featvis_positions_shape');
    g.initializer.push(int64Initializer(shape, [0, dims[1], -1]));
    g.node.push(makeNode('Reshape', [pre, shape], [y], fresh('featvis/positions')));
  }
  g.node.push(
    makeNode('Mul', [y, invT], [scaled], fresh('featvis/scaled')),
    makeNode('Softmax', [scaled], [weights], fresh('featvis/softmax'), { axis: 2 }),
    makeNode('Mul', [weights, y], [weighted], fresh('featvis/smooth_max')),
  );
  return { model: out, target: { kind: 'unit', tensor: weighted, unit, reduce: 'sum' }, tensor: pre };
}

function floatScalar(name: string, value: number): Tensor {
  return onnx.TensorProto.create({ name, dims: [], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [value] }) as unknown as Tensor;
}
