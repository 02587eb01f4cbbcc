/**
 * Smooth pointwise functions, as exported norms and GELUs use them: Sqrt, Reciprocal, Exp, Log,
 * Erf (GELU before opset 20 is x·(1 + erf(x/√2))/2) and Pow (x² and x^0.5 in decomposed norms).
 * Derivatives are read from the forward output where it gives them directly (Sqrt, Exp).
 */
import { dy0, type Rule } from './rule';

export const Sqrt: Rule = {
  inputs: [0],
  // d√x = 1 / (2√x)
  vjp: (a) => [a.b.op('Div', [a.b.op('Mul', [dy0(a), a.b.scalar(0.5)]), a.node.output[0]])],
};

export const Reciprocal: Rule = {
  inputs: [0],
  // d(1/x) = −1/x² = −y²
  vjp: (a) => {
    const { b, node } = a;
    const Y = node.output[0];
    return [b.op('Neg', [b.op('Mul', [dy0(a), b.op('Mul', [Y, Y])])])];
  },
};

export const Exp: Rule = {
  inputs: [0],
  vjp: (a) => [a.b.op('Mul', [dy0(a), a.node.output[0]])],
};

export const Log: Rule = {
  inputs: [0],
  vjp: (a) => [a.b.op('Div', [dy0(a), a.node.input[0]])],
};

export const Erf: Rule = {
  inputs: [0],
  // d erf(x) = 2/√π · exp(−x²)
  vjp: (a) => {
    const { b, node } = a;
    const X = node.input[0];
    const gauss = b.op('Exp', [b.op('Neg', [b.op('Mul', [X, X])])]);
    return [b.op('Mul', [dy0(a), b.op('Mul', [gauss, b.scalar(2 / Math.sqrt(Math.PI))])])];
  },
};

/**
 * y = a^b (broadcasting): da = b·a^(b−1)·dy, db = y·ln(a)·dy (a > 0 where it is wanted). A
 * constant exponent of 2 (x² in decomposed variances) gives 2·a.
 */
export const Pow: Rule = {
  inputs: [0, 1],
  vjp: (a) => {
    const { b, node, needs } = a;
    const [A, B] = node.input;
    const Y = node.output[0];
    const dy = dy0(a);
    let dA: string | null = null;
    if (needs[0]) {
      // A constant scalar exponent (of any type) is folded; a computed one is a float tensor.
      const e = b.constValue(B);
      let slope: string;
      if (e?.length === 1 && e[0] === 2) slope = b.op('Mul', [A, b.scalar(2)]);
      else if (e?.length === 1) slope = b.op('Mul', [b.op('Pow', [A, b.scalar(e[0] - 1)]), b.scalar(e[0])]);
      else slope = b.op('Mul', [B, b.op('Pow', [A, b.op('Sub', [B, b.scalar(1)])])]);
      dA = b.reduceTo(b.op('Mul', [dy, slope]), A, Y);
    }
    const dB = needs[1] ? b.reduceTo(b.op('Mul', [dy, b.op('Mul', [Y, b.op('Log', [A])])]), B, Y) : null;
    return [dA, dB];
  },
};
