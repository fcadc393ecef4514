import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, scalar, toTensor } from '../tensor/create.js';
import { broadcastShapes } from '../tensor/shape.js';
import { runOp } from './engine.js';
import { sumToShape } from './broadcast-to.js';

/**
 * Picks a where `condition` is non-zero and b elsewhere, elementwise; all three broadcast by NumPy
 * rules. condition is usually the int32 0/1 result of a comparison (st.greater, ...). The gradient
 * goes to a where the condition holds and to b elsewhere, summed back to each input's shape.
 * @example st.where(st.greater(x, 0), x, st.mul(x, 0.1))
 */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = toTensor(condition, 'where', 'condition', 'int32');
  const $a = toTensor(a, 'where', 'a');
  const $b = toTensor(b, 'where', 'b');
  // Checked up front so the error names where's operands.
  broadcastShapes('where', broadcastShapes('where', c.shape, $a.shape), $b.shape);
  return runOp('Where', [c, $a, $b], (k) => k.where(c, $a, $b), (dy) => {
    const zero = scalar(0, dy.dtype);
    return [null, sumToShape(where(c, dy, zero), $a.shape), sumToShape(where(c, zero, dy), $b.shape)];
  });
}
