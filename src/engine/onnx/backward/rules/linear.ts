/**
 * Gemm and MatMul. With A' = op(A), B' = op(B) (op = transpose when transA/transB):
 * Y = α·A'B' + β·C, so dA' = α·dY·B'ᵀ, dB' = α·A'ᵀ·dY, dC = β·dY summed over broadcast axes.
 * Each is one Gemm with the transposes folded into its flags.
 */
import { attrs, float } from '../builder';
import { dy0, type Rule } from './rule';

export const Gemm: Rule = {
  inputs: [0, 1, 2],
  vjp: (a) => {
    const { b, node, needs } = a;
    const at = attrs(node);
    const [A, B, C] = node.input;
    const transA = at.int('transA', 0);
    const transB = at.int('transB', 0);
    const alpha = at.float('alpha', 1);
    const beta = at.float('beta', 1);
    const dy = dy0(a);
    // Gemm's C is optional from opset 11; before, a zero scalar with β = 0.
    const gemm = (x: string, y: string, tA: number, tB: number) =>
      b.opset >= 11
        ? b.op('Gemm', [x, y], { alpha: float(alpha), transA: tA, transB: tB })
        : b.op('Gemm', [x, y, b.scalar(0)], { alpha: float(alpha), beta: float(0), transA: tA, transB: tB });
    let dA: string | null = null;
    let dB: string | null = null;
    let dC: string | null = null;
    if (needs[0]) dA = transA ? gemm(B, dy, transB, 1) : gemm(dy, B, 0, transB ? 0 : 1);
    if (needs[1]) dB = transB ? gemm(dy, A, 1, transA) : gemm(A, dy, transA ? 0 : 1, 0);
    if (needs[2] && C) dC = b.reduceTo(beta === 1 ? dy : b.op('Mul', [dy, b.scalar(beta)]), C, node.output[0]);
    return [dA, dB, dC];
  },
};

/** MatMul of rank ≥ 2 operands (batched, broadcasting): dA = dY·Bᵀ, dB = Aᵀ·dY, reduced to each shape. */
export const MatMul: Rule = {
  inputs: [0, 1],
  vjp: (a) => {
    const { b, node, needs } = a;
    const [A, B] = node.input;
    const Y = node.output[0];
    const ad = b.requireDims(A);
    const bd = b.requireDims(B);
    const batch = b.requireDims(Y).slice(0, -2);
    const ra = ad.length;
    const rb = bd.length;
    if (ra < 2 || rb < 2) throw b.unsupported('MatMul with a 1-D operand');
    const T = (x: string, r: number) =>
      b.op('Transpose', [x], { perm: [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2] });
    const dy = dy0(a);
    return [
      needs[0] ? b.reduceToDims(b.op('MatMul', [dy, T(B, rb)]), [...batch, ...ad.slice(-2)], A, ad) : null,
      needs[1] ? b.reduceToDims(b.op('MatMul', [T(A, ra), dy]), [...batch, ...bd.slice(-2)], B, bd) : null,
    ];
  },
};

/**
 * Einsum (MaxViT's attention: "bghid,bghjd->bghij"), explicit or implicit output, without
 * ellipsis or repeated letters in a term: the gradient of operand i is the Einsum of dY with the
 * other operands onto operand i's letters. A letter only operand i has (summed away) would need
 * a broadcast back, and is reported.
 */
export const Einsum: Rule = {
  inputs: 'all',
  vjp: (a) => {
    const { b, node, needs } = a;
    const equation = attrs(node).str('equation', '').replace(/\s+/g, '');
    if (equation.includes('.')) throw b.unsupported('an ellipsis in the equation');
    const [lhs, explicit] = equation.split('->');
    const terms = lhs.split(',');
    const letters = terms.join('');
    const out =
      explicit ??
      [...new Set(letters)]
        .filter((c) => letters.split(c).length === 2)
        .sort()
        .join('');
    if ([...terms, out].some((t) => new Set(t).size !== t.length)) throw b.unsupported('a letter repeated within a term (a diagonal)');
    const dy = dy0(a);
    return terms.map((term, i) => {
      if (!needs[i]) return null;
      const others = terms.filter((_, k) => k !== i);
      const available = out + others.join('');
      const missing = [...term].filter((c) => !available.includes(c));
      if (missing.length) throw b.unsupported(`letter(s) "${missing.join('')}" summed within operand ${i} alone`);
      const inputs = [dy, ...node.input.filter((_, k) => k !== i)];
      return b.op('Einsum', inputs, { equation: `${[out, ...others].join(',')}->${term}` });
    });
  },
};
