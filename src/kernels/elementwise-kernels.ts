import type { Tensor } from '../tensor/tensor.js';
import type { DType } from '../tensor/dtype.js';

/** Binary elementwise ops; inputs broadcast by NumPy rules. Comparisons give int32 0/1. */
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'squaredDifference'
  | 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual';

/**
 * Unary elementwise ops. `alpha`/`beta` parameterise some: leakyRelu (alpha = slope),
 * elu (alpha), clip (alpha = min, beta = max). The `*Grad` entries are the derivatives the
 * gradients of activations need, evaluated at x.
 */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'log1p' | 'sqrt' | 'rsqrt' | 'square' | 'abs' | 'sign' | 'reciprocal'
  | 'floor' | 'round' | 'ceil' | 'sin' | 'cos' | 'erf' | 'expm1'
  | 'relu' | 'relu6' | 'leakyRelu' | 'elu' | 'selu' | 'sigmoid' | 'tanh' | 'softplus' | 'softsign'
  | 'swish' | 'gelu' | 'geluTanh' | 'mish' | 'hardSigmoid' | 'hardSigmoidKeras3' | 'clip'
  | 'step' | 'reluGrad' | 'relu6Grad' | 'leakyReluGrad' | 'eluGrad' | 'seluGrad' | 'swishGrad' | 'geluGrad'
  | 'geluTanhGrad' | 'mishGrad' | 'hardSigmoidGrad' | 'hardSigmoidKeras3Grad' | 'clipGrad';

export interface ElementwiseKernels {
  /** a op b with broadcasting; output dtype is the wider input dtype (int32 for comparisons). */
  binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor;
  /** op(x) elementwise; output dtype is x's (int32 inputs of float ops give float32). */
  unary(op: UnaryOp, x: Tensor, alpha?: number, beta?: number): Tensor;
  /** Converts the dtype (float → int32 truncates toward zero, as TensorFlow.js). */
  cast(x: Tensor, dtype: DType): Tensor;
  /** cond ? a : b elementwise, all three broadcast; cond is any dtype, non-zero = true. */
  where(cond: Tensor, a: Tensor, b: Tensor): Tensor;
  /** Softmax along `axis`, computed stably (max subtracted). */
  softmax(x: Tensor, axis: number): Tensor;
  /** Log-softmax along `axis`, computed stably. */
  logSoftmax(x: Tensor, axis: number): Tensor;
}
