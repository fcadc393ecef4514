import type { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/create.js';
import { equal, notEqual } from './compare.js';
import { add, mul } from './arithmetic.js';

// Strata has no bool dtype: as the comparisons, these take any dtype (nonzero is true) and return
// int32 0/1 where TensorFlow.js takes and returns bool. Built from comparisons, so no gradient.

/**
 * 1 where both a and b are nonzero, else 0 (int32), broadcasting.
 * @example st.logicalAnd(yTrue.equal(0), yPred.equal(1)).sum() // false positives
 */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  return mul(notEqual(a, 0), notEqual(b, 0));
}

/**
 * 1 where a or b (or both) is nonzero, else 0 (int32), broadcasting.
 * @example st.logicalOr(x.less(0), x.greater(1))
 */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  return notEqual(add(notEqual(a, 0), notEqual(b, 0)), 0);
}

/**
 * 1 where exactly one of a and b is nonzero, else 0 (int32), broadcasting.
 * @example st.logicalXor(predicted, actual) // where they disagree
 */
export function logicalXor(a: TensorLike, b: TensorLike): Tensor {
  return notEqual(notEqual(a, 0), notEqual(b, 0));
}

/**
 * 1 where x is zero, else 0 (int32).
 * @example st.logicalNot(mask)
 */
export function logicalNot(x: TensorLike): Tensor {
  return equal(x, 0);
}
