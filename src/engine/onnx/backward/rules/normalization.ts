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
