/**
 * BatchNormalization in inference mode is a per-channel affine map: dX = dY · scale/√(var+ε).
 * The factor is folded to a constant when scale and var are constants (always, in exports).
 */
import { attrs } from '../builder';
import { dy0, type Rule } from './rule';

export const BatchNormalization: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const at = attrs(node);
    if (at.int('training_mode', 0) === 1) throw b.unsupported('training_mode = 1 (batch statistics)');
    const [X, scale, , , variance] = node.input;
    const eps = at.float('epsilon', 1e-5);
    const rank = b.requireDims(X).length;
    const trailing = Array(Math.max(0, rank - 2)).fill(1);
    const s = b.constValue(scale);
    const v = b.constValue(variance);
    let factor: string;
    if (s && v) {
      factor = b.constF(s.map((sc, c) => sc / Math.sqrt(v[c] + eps)), [s.length, ...trailing], 'grad_bn_factor');
    } else {
      const f = b.op('Div', [scale, b.op('Sqrt', [b.op('Add', [variance, b.scalar(eps)])])]);
      factor = b.op('Reshape', [f, b.constI64([-1, ...trailing])]);
    }
    return [b.op('Mul', [dy0(a), factor])];
  },
};

/**
 * LayerNormalization (opset 17; ConvNeXt, ViT, Swin): over the axes from `axis` on, with
 * x̂ = (x − μ)·r, r = 1/√(σ² + ε) and g = dY·scale, dX = r·(g − mean(g) − x̂·mean(g·x̂)).
 * μ and r are recomputed from X (a few reductions) rather than read from the optional Mean and
 * InvStdDev outputs, which not every onnxruntime backend writes. Scale and bias are weights.
 */
export const LayerNormalization: Rule = {
  inputs: [0, 1, 2],
  vjp: (a) => {
    const { b, node, needs } = a;
    if (needs[1] || needs[2]) throw b.unsupported('gradients through a scale or bias computed from the input are not supported');
    const at = attrs(node);
    const [X, scale] = node.input;
    const rank = b.requireDims(X).length;
    let axis = at.int('axis', -1);
    if (axis < 0) axis += rank;
    const axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
    const mean = (t: string) => b.reduce('ReduceMean', t, axes, true);
    const centred = b.op('Sub', [X, mean(X)]);
    const variance = mean(b.op('Mul', [centred, centred]));
    const r = b.op('Reciprocal', [b.op('Sqrt', [b.op('Add', [variance, b.scalar(at.float('epsilon', 1e-5))])])]);
    const xhat = b.op('Mul', [centred, r]);
    const g = b.op('Mul', [dy0(a), scale]);
    const inner = b.op('Sub', [b.op('Sub', [g, mean(g)]), b.op('Mul', [xhat, mean(b.op('Mul', [g, xhat]))])]);
    return [b.op('Mul', [r, inner]), null, null];
  },
};
