/**
 * Pointwise activations. Masks are read from the forward output Y where that is equivalent
 * (Y > 0 ⇔ X > 0 for Relu), so onnxruntime can still fuse Conv+Relu in the forward part.
 * At kinks the derivative is that of PyTorch: 0 at x = 0 for Relu, 0 outside the open interval
 * for Clip/HardSigmoid.
 */
import { attrs } from '../builder';
import { dy0, type Rule } from './rule';

export const Relu: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const mask = b.op('Greater', [node.output[0], b.scalar(0)]);
    return [b.op('Where', [mask, dy0(a), b.scalar(0)])];
  },
};

export const LeakyRelu: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const alpha = attrs(node).float('alpha', 0.01);
    const dy = dy0(a);
    // alpha > 0 keeps the sign, so Y > 0 ⇔ X > 0; a negative alpha needs X.
    const src = alpha > 0 ? node.output[0] : node.input[0];
    const mask = b.op('Greater', [src, b.scalar(0)]);
    return [b.op('Where', [mask, dy, b.op('Mul', [dy, b.scalar(alpha)])])];
  },
};

/** Clip: gradient where min < x < max (min/max are inputs since opset 11, attributes before). */
export const Clip: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const Y = node.output[0];
    let lo: string | null = null;
    let hi: string | null = null;
    if (b.opset >= 11) {
      lo = node.input[1] || null;
      hi = node.input[2] || null;
    } else {
      const at = attrs(node);
      if (at.has('min')) lo = b.scalar(at.float('min', 0));
      if (at.has('max')) hi = b.scalar(at.float('max', 0));
    }
    let mask: string | null = null;
    if (lo) mask = b.op('Greater', [Y, lo]);
    if (hi) {
      const m = b.op('Less', [Y, hi]);
      mask = mask ? b.op('And', [mask, m]) : m;
    }
    const dy = dy0(a);
    return [mask ? b.op('Where', [mask, dy, b.scalar(0)]) : dy];
  },
};

export const Sigmoid: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const Y = node.output[0];
    // dY · y · (1 − y)
    const oneMinus = b.op('Sub', [b.scalar(1), Y]);
    return [b.op('Mul', [dy0(a), b.op('Mul', [Y, oneMinus])])];
  },
};

export const Tanh: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const Y = node.output[0];
    return [b.op('Mul', [dy0(a), b.op('Sub', [b.scalar(1), b.op('Mul', [Y, Y])])])];
  },
};

/** y = clip(alpha·x + beta, 0, 1): alpha inside the open interval, 0 outside. */
export const HardSigmoid: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const alpha = attrs(node).float('alpha', 0.2);
    const Y = node.output[0];
    const mask = b.op('And', [b.op('Greater', [Y, b.scalar(0)]), b.op('Less', [Y, b.scalar(1)])]);
    const scaled = b.op('Mul', [dy0(a), b.scalar(alpha)]);
    return [b.op('Where', [mask, scaled, b.scalar(0)])];
  },
};

/** y = x · clip(x/6 + 1/2, 0, 1): y' = 0 for x < −3, x/3 + 1/2 for −3 ≤ x ≤ 3, 1 for x > 3 (as PyTorch). */
export const HardSwish: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const X = node.input[0];
    const mid = b.op('Add', [b.op('Mul', [X, b.scalar(1 / 3)]), b.scalar(0.5)]);
    const low = b.op('Where', [b.op('Less', [X, b.scalar(-3)]), b.scalar(0), mid]);
    const slope = b.op('Where', [b.op('Greater', [X, b.scalar(3)]), b.scalar(1), low]);
    return [b.op('Mul', [dy0(a), slope])];
  },
};

/** Softmax: dx = y ⊙ (dy − Σ_axis dy ⊙ y). Before opset 13 the axis flattens all later axes. */
export const Softmax: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const Y = node.output[0];
    const rank = b.requireDims(Y).length;
    let axis = attrs(node).int('axis', b.opset >= 13 ? -1 : 1);
    if (axis < 0) axis += rank;
    const axes = b.opset >= 13 ? [axis] : Array.from({ length: rank - axis }, (_, i) => axis + i);
    const dy = dy0(a);
    const dot = b.reduceSum(b.op('Mul', [dy, Y]), axes, true);
    return [b.op('Mul', [Y, b.op('Sub', [dy, dot])])];
  },
};

/**
 * Gelu (opset 20; earlier exports spell it with Erf). approximate 'none': y' = Φ(x) + x·φ(x);
 * 'tanh': with u = k(x + c·x³), t = tanh(u), y' = (1 + t)/2 + x(1 − t²)·k(1 + 3c·x²)/2.
 */
export const Gelu: Rule = {
  inputs: [0],
  vjp: (a) => {
    const { b, node } = a;
    const X = node.input[0];
    const approx = attrs(node).str('approximate', 'none');
    const x2 = b.op('Mul', [X, X]);
    let slope: string;
    if (approx === 'none') {
      const cdf = b.op('Mul', [b.op('Add', [b.op('Erf', [b.op('Mul', [X, b.scalar(Math.SQRT1_2)])]), b.scalar(1)]), b.scalar(0.5)]);
      const pdf = b.op('Mul', [b.op('Exp', [b.op('Mul', [x2, b.scalar(-0.5)])]), b.scalar(1 / Math.sqrt(2 * Math.PI))]);
      slope = b.op('Add', [cdf, b.op('Mul', [X, pdf])]);
    } else if (approx === 'tanh') {
      const k = Math.sqrt(2 / Math.PI);
      const c = 0.044715;
      const t = b.op('Tanh', [b.op('Mul', [b.op('Add', [X, b.op('Mul', [b.op('Mul', [x2, X]), b.scalar(c)])]), b.scalar(k)])]);
      const sech2 = b.op('Sub', [b.scalar(1), b.op('Mul', [t, t])]);
      const du = b.op('Add', [b.op('Mul', [x2, b.scalar(3 * c * k)]), b.scalar(k)]);
      const half = b.op('Mul', [b.op('Add', [t, b.scalar(1)]), b.scalar(0.5)]);
      slope = b.op('Add', [half, b.op('Mul', [b.op('Mul', [X, b.op('Mul', [sech2, du])]), b.scalar(0.5)])]);
    } else {
      throw b.unsupported(`approximate "${approx}"`);
    }
    return [b.op('Mul', [dy0(a), slope])];
  },
};
