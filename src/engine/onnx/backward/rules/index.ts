/** The table of backward rules, by ONNX op type (default domain). */
import * as act from './activations';
import { Conv } from './conv';
import * as ew from './elementwise';
import { Gemm, MatMul } from './linear';
import { BatchNormalization } from './normalization';
import { AveragePool, GlobalAveragePool, MaxPool } from './pool';
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
  Add: ew.Add,
  Sub: ew.Sub,
  Mul: ew.Mul,
  Div: ew.Div,
  Neg: ew.Neg,
  Sum: ew.Sum,
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  BatchNormalization,
  Gemm,
  MatMul,
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
