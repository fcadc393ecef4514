import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxes } from '../tensor/shape.js';
import { runOp } from './engine.js';

/**
 * Reverses the order of elements along `axis` (one axis or a list; all axes when omitted).
 * @example st.reverse(st.tensor([[1, 2], [3, 4]]), 1) // [[2, 1], [4, 3]]
 */
export function reverse(x: TensorLike, axis?: number | number[]): Tensor {
  const $x = toTensor(x, 'reverse', 'x');
  const axes = normalizeAxes('reverse', axis, $x.rank).filter((a) => $x.shape[a] > 1);
  if (axes.length === 0) return $x;
  return runOp('Reverse', [$x], (k) => k.reverse($x, axes), (dy) => [reverse(dy, axes)]);
}
