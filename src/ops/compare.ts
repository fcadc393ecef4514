import type { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/create.js';
import type { BinaryOp } from '../kernels/elementwise-kernels.js';
import { runOp } from './engine.js';
import { operands } from './arithmetic.js';

// Comparisons return int32 0/1 (TensorFlow.js returns bool) and have no gradient.
function compare(op: BinaryOp, name: string, a: TensorLike, b: TensorLike): Tensor {
  const [$a, $b] = operands(op, a, b);
  return runOp(name, [$a, $b], (k) => k.binary(op, $a, $b));
}

/**
 * 1 where a = b, else 0 (int32), broadcasting. NaN equals nothing.
 * @example st.equal(st.argMax(logits, -1), labels)
 */
export function equal(a: TensorLike, b: TensorLike): Tensor {
  return compare('equal', 'Equal', a, b);
}

/**
 * 1 where a ≠ b, else 0 (int32), broadcasting.
 * @example st.notEqual(x, 0)
 */
export function notEqual(a: TensorLike, b: TensorLike): Tensor {
  return compare('notEqual', 'NotEqual', a, b);
}

/**
 * 1 where a > b, else 0 (int32), broadcasting.
 * @example st.greater(x, 0.5)
 */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  return compare('greater', 'Greater', a, b);
}

/**
 * 1 where a ≥ b, else 0 (int32), broadcasting.
 * @example st.greaterEqual(x, 0)
 */
export function greaterEqual(a: TensorLike, b: TensorLike): Tensor {
  return compare('greaterEqual', 'GreaterEqual', a, b);
}

/**
 * 1 where a < b, else 0 (int32), broadcasting.
 * @example st.less(x, 0)
 */
export function less(a: TensorLike, b: TensorLike): Tensor {
  return compare('less', 'Less', a, b);
}

/**
 * 1 where a ≤ b, else 0 (int32), broadcasting.
 * @example st.lessEqual(x, 1)
 */
export function lessEqual(a: TensorLike, b: TensorLike): Tensor {
  return compare('lessEqual', 'LessEqual', a, b);
}
