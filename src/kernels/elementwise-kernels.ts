import type { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';

/** SELU's constants (Klambauer et al., 2017), as Keras and TensorFlow.js use them. */
export const SELU_SCALE = 1.0507009873554804934193349852946;
export const SELU_ALPHA = 1.6732632423543772848170429916717;
/** √(2/π) and the cubic coefficient of GELU's tanh approximation. */
export const GELU_C = 0.7978845608028654;
export const GELU_K = 0.044715;

/** Binary elementwise ops; inputs broadcast by NumPy rules. Comparisons give int32 0/1. */
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'squaredDifference'
  | 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual';

/**
 * Unary elementwise ops. `alpha`/`beta` parameterise some: leakyRelu (alpha = slope),
 * elu (alpha), clip (alpha = min, beta = max), step (alpha = value where x ≤ 0).
 * The `*Grad` entries are the derivatives the gradients of activations need, evaluated at x
 * (same alpha/beta as the activation).
 */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'log1p' | 'sqrt' | 'rsqrt' | 'square' | 'abs' | 'sign' | 'reciprocal'
  | 'floor' | 'round' | 'ceil' | 'sin' | 'cos' | 'erf' | 'expm1'
  | 'relu' | 'relu6' | 'leakyRelu' | 'elu' | 'selu' | 'sigmoid' | 'tanh' | 'softplus' | 'softsign'
  | 'swish' | 'gelu' | 'geluTanh' | 'mish' | 'hardSigmoid' | 'hardSigmoidKeras3' | 'clip'
  | 'step' | 'reluGrad' | 'relu6Grad' | 'leakyReluGrad' | 'eluGrad' | 'seluGrad' | 'swishGrad' | 'geluGrad'
  | 'geluTanhGrad' | 'mishGrad' | 'hardSigmoidGrad' | 'hardSigmoidKeras3Grad' | 'clipGrad';

/**
 * Activations the fused bias + activation kernels handle: those whose derivative is a function of
 * their output y, so the gradient needs only dy and y (relu: y > 0; sigmoid: y(1 − y); tanh: 1 − y²;
 * elu: y + alpha where y ≤ 0; selu: y + scale·alpha where y ≤ 0).
 */
export type FusedActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'elu' | 'selu';

export interface ElementwiseKernels {
  /** a op b with broadcasting; output dtype is the wider input dtype (int32 for comparisons). */
  binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor;
  /**
   * op(x) elementwise; output dtype is x's. int32 stays int32 for neg, abs, square, sign, floor,
   * round, ceil, relu, relu6 and clip; int32 inputs of the other (float) ops give float32.
   */
  unary(op: UnaryOp, x: Tensor, alpha?: number, beta?: number): Tensor;
  /** Converts the dtype (float → int32 truncates toward zero, as TensorFlow.js). */
  cast(x: Tensor, dtype: DType): Tensor;
  /** cond ? a : b elementwise, all three broadcast; cond is any dtype, non-zero = true. */
  where(cond: Tensor, a: Tensor, b: Tensor): Tensor;
  /** Softmax along `axis` (non-negative), computed stably (max subtracted); int32 gives float32. */
  softmax(x: Tensor, axis: number): Tensor;
  /** Log-softmax along `axis` (non-negative), computed stably; int32 gives float32. */
  logSoftmax(x: Tensor, axis: number): Tensor;
  /**
   * y = act(x + bias) in one pass: x [..., C] (float32 or float64), bias [C] of x's dtype or null.
   * x + bias is rounded to x's dtype before the activation, as a separate add would. `alpha` is elu's.
   */
  biasActivation(x: Tensor, bias: Tensor | null, activation: FusedActivation, alpha: number): Tensor;
  /**
   * The gradient of `biasActivation` from the output's gradient dy and the output y (same shape):
   * dx = dy · act′ and, when `withBias`, db = Σ of dx over every axis but the last.
   */
  biasActivationGrad(dy: Tensor, y: Tensor, activation: FusedActivation, alpha: number, withBias: boolean): [Tensor, Tensor | null];
}
