/**
 * What feature visualisation maximises for a unit: the spatial mean of its channel — before the
 * ReLU when the layer is a Relu's output (Lucid's "pre_relu" objectives). A ReLU unit that is off
 * everywhere on the starting grey image has zero gradient and would never move; its input has a
 * gradient everywhere and raising it raises the unit.
 */
import type { GradientTarget } from '../onnx/backward';
import type { Model } from '../onnx/model';

export function featureTarget(model: Model, tensor: string, unit: number): GradientTarget & { kind: 'unit' } {
  const producer = model.graph.node.find((n) => n.output.includes(tensor));
  const pre = producer?.opType === 'Relu' && producer.input[0] ? producer.input[0] : tensor;
  return { kind: 'unit', tensor: pre, unit, reduce: 'mean' };
}
