import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxes } from '../tensor/shape.js';
import { type Axis, mean, reducedShape } from './reduce.js';
import { mul, sub } from './arithmetic.js';
import { reshape } from './reshape.js';
import { cast } from './cast.js';

/** What `moments` returns. */
export interface Moments {
  mean: Tensor;
  /** Population variance (divides by the count, not count − 1), as TensorFlow.js. */
  variance: Tensor;
}

/**
 * Mean and population variance over `axes` (all axes when omitted); `keepDims` keeps reduced axes
 * as 1s. Both are differentiable. An int32 input gives float32 results.
 * @example const { mean, variance } = st.moments(x, [0, 1, 2]); // per-channel statistics of NHWC x
 */
export function moments(x: TensorLike, axes?: Axis, keepDims = false): Moments {
  let $x = toTensor(x, 'moments', 'x');
  const ax = normalizeAxes('moments', axes, $x.rank);
  if ($x.dtype === 'int32') $x = cast($x, 'float32');
  const m = mean($x, ax, true);
  const d = sub($x, m);
  const variance = mean(mul(d, d), ax, keepDims);
  return { mean: keepDims ? m : reshape(m, reducedShape($x.shape, ax, false)), variance };
}
