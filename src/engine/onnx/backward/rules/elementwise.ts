/**
 * Broadcasting arithmetic. Each operand's gradient is the output gradient (times the partial
 * derivative) summed back over the axes the operand was broadcast along (Builder.reduceTo) —
 * e.g. squeeze-excitation's [N,C,1,1] × [N,C,H,W] sums over H and W for the gate.
 */
import { dy0, type Rule } from './rule';

export const Add: Rule = {
  inputs: [0, 1],
  vjp: (a) => {
    const { b, node, needs } = a;
    const dy = dy0(a);
    const Y = node.output[0];
    return node.input.map((x, i) => (needs[i] ? b.reduceTo(dy, x, Y) : null));
  },
};

export const Sub: Rule = {
  inputs: [0, 1],
  vjp: (a) => {
    const { b, node, needs } = a;
    const dy = dy0(a);
    const Y = node.output[0];
    return [
      needs[0] ? b.reduceTo(dy, node.input[0], Y) : null,
      needs[1] ? b.op('Neg', [b.reduceTo(dy, node.input[1], Y)]) : null,
    ];
  },
};

/** Sum (n-ary, broadcasting). */
export const Sum: Rule = {
  inputs: 'all',
  vjp: (a) => {
    const { b, node, needs } = a;
    const dy = dy0(a);
    return node.input.map((x, i) => (needs[i] ? b.reduceTo(dy, x, node.output[0]) : null));
  },
};

export const Neg: Rule = {
  inputs: [0],
  vjp: (a) => [a.b.op('Neg', [dy0(a)])],
};

export const Mul: Rule = {
  inputs: [0, 1],
  vjp: (a) => {
    const { b, node, needs } = a;
    const dy = dy0(a);
    const [A, B] = node.input;
    const Y = node.output[0];
    return [
      needs[0] ? b.reduceTo(b.op('Mul', [dy, B]), A, Y) : null,
      needs[1] ? b.reduceTo(b.op('Mul', [dy, A]), B, Y) : null,
    ];
  },
};

/** y = a / b: da = dy / b, db = −dy · y / b. */
export const Div: Rule = {
  inputs: [0, 1],
  vjp: (a) => {
    const { b, node, needs } = a;
    const dy = dy0(a);
    const [A, B] = node.input;
    const Y = node.output[0];
    const dyOverB = needs[0] || needs[1] ? b.op('Div', [dy, B]) : '';
    return [
      needs[0] ? b.reduceTo(dyOverB, A, Y) : null,
      needs[1] ? b.reduceTo(b.op('Neg', [b.op('Mul', [dyOverB, Y])]), B, Y) : null,
    ];
  },
};

/** Where(cond, a, b): the gradient goes to a where cond holds, to b elsewhere (each reduced to its shape). */
export const Where: Rule = {
  inputs: [1, 2],
  vjp: (a) => {
    const { b, node, needs } = a;
    const dy = dy0(a);
    const [cond, A, B] = node.input;
    const Y = node.output[0];
    const zero = b.scalar(0);
    return [
      null,
      needs[1] ? b.reduceTo(b.op('Where', [cond, dy, zero]), A, Y) : null,
      needs[2] ? b.reduceTo(b.op('Where', [cond, zero, dy]), B, Y) : null,
    ];
  },
};
