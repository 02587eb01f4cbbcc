/** The table of backward rules, by ONNX op type (default domain). */
import * as act from './activations';
import { Conv } from './conv';
import * as ew from './elementwise';
import { Gather } from './gather';
import { Einsum, Gemm, MatMul } from './linear';
import * as math from './math';
import { BatchNormalization, LayerNormalization } from './normalization';
import { AveragePool, GlobalAveragePool, MaxPool } from './pool';
import * as red from './reduce';
import * as sh from './shape';
import type { Rule } from './rule';

export type { Rule, VjpArgs } from './rule';

export const RULES: Readonly<Record<string, Rule>> = {
  Conv,
  Relu: act.Relu,
  LeakyRelu: act.LeakyRelu,
  Clip: act.Clip,
  Sigmoid: act.Sigmoid,
  Tanh: act.Tanh,
  HardSigmoid: act.HardSigmoid,
  HardSwish: act.HardSwish,
  Softmax: act.Softmax,
  Gelu: act.Gelu,
  Erf: math.Erf,
  Sqrt: math.Sqrt,
  Reciprocal: math.Reciprocal,
  Exp: math.Exp,
  Log: math.Log,
  Pow: math.Pow,
  Add: ew.Add,
  Sub: ew.Sub,
  Mul: ew.Mul,
  Div: ew.Div,
  Neg: ew.Neg,
  Sum: ew.Sum,
  Where: ew.Where,
  ReduceSum: red.ReduceSum,
  ReduceMean: red.ReduceMean,
  ReduceMax: red.ReduceExtremum,
  ReduceMin: red.ReduceExtremum,
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  BatchNormalization,
  LayerNormalization,
  Gemm,
  MatMul,
  Einsum,
  Flatten: sh.Reshape,
  Reshape: sh.Reshape,
  Squeeze: sh.Reshape,
  Unsqueeze: sh.Reshape,
  Identity: sh.Identity,
  Dropout: sh.Identity,
  Transpose: sh.Transpose,
  Concat: sh.Concat,
  Split: sh.Split,
  Slice: sh.Slice,
  Pad: sh.Pad,
  Expand: sh.Expand,
  Cast: sh.Cast,
  Gather,
};

/**
 * Ops whose outputs do not vary with their inputs' values (shapes, comparisons, indices):
 * gradients never flow through them, so reachability stops there.
 */
export const NOT_DIFFERENTIABLE = new Set([
  'Shape', 'Size', 'ConstantOfShape', 'Constant', 'EyeLike', 'Range', 'NonZero', 'ArgMax', 'ArgMin',
  'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf',
  'Sign', 'Floor', 'Ceil', 'Round', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial',
]);
