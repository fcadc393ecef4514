import { DTypeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { type DType, isFloat } from '../tensor/dtype.js';
import { runOp } from './engine.js';

/**
 * Converts x to `dtype` ('float32', 'int32' or 'float64'); float → int32 truncates toward zero.
 * The gradient flows back (cast to x's dtype) between float types; through int32 there is none.
 * @example st.cast(st.tensor([1.7, -1.7]), 'int32') // [1, -1]
 */
export function cast(x: TensorLike, dtype: DType): Tensor {
  const $x = toTensor(x, 'cast', 'x');
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'float64') {
    throw new DTypeError(`cast: unknown dtype '${String(dtype)}'; use 'float32', 'int32' or 'float64'`);
  }
  if (dtype === $x.dtype) return $x;
  const differentiable = isFloat($x.dtype) && isFloat(dtype);
  return runOp('Cast', [$x], (b) => b.cast($x, dtype), differentiable ? (dy) => [cast(dy, $x.dtype)] : undefined);
}
