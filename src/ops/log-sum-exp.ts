import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxes } from '../tensor/shape.js';
import { kernels } from '../kernels/registry.js';
import { type Axis, reducedShape, sum } from './reduce.js';
import { add, sub } from './arithmetic.js';
import { exp, log } from './unary.js';
import { reshape } from './reshape.js';
import { cast } from './cast.js';

/**
 * log(Σ exp(x)) over `axis` (all axes when omitted), computed stably by shifting by the maximum;
 * `keepDims` keeps reduced axes as 1s. Its gradient is softmax(x) along the reduced axes.
 * @example st.logSumExp(logits, -1)
 */
export function logSumExp(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  let $x = toTensor(x, 'logSumExp', 'x');
  const axes = normalizeAxes('logSumExp', axis, $x.rank);
  if ($x.dtype === 'int32') $x = cast($x, 'float32');
  // The shift is a constant (the result does not depend on it), so it needs no gradient. A slice
  // whose maximum is ±Infinity is shifted by 0, so all −Infinity gives −Infinity, not NaN.
  const m = kernels().reduce('max', $x, axes, true);
  const shiftValues = m.values.slice();
  for (let i = 0; i < shiftValues.length; i++) if (!Number.isFinite(shiftValues[i])) shiftValues[i] = 0;
  const shift = new Tensor(shiftValues, m.shape);
  const y = add(log(sum(exp(sub($x, shift)), axes, true)), shift);
  return keepDims ? y : reshape(y, reducedShape($x.shape, axes, false));
}
