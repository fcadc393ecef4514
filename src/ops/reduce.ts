import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxes } from '../tensor/shape.js';
import { runOp } from './engine.js';
import { reshape } from './reshape.js';
import { broadcastTo } from './broadcast-to.js';

/** Axis argument of reductions: one axis, a list, or all axes when omitted. */
export type Axis = number | number[];

/** Shape of x with the reduced axes kept as 1s, so a reduced result broadcasts back against x. */
export function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/**
 * Sum over `axis` (all axes when omitted); `keepDims` keeps reduced axes as 1s.
 * @example st.sum(x, 1, true)
 */
export function sum(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const $x = toTensor(x, 'sum', 'x');
  const axes = normalizeAxes('sum', axis, $x.rank);
  return runOp('Sum', [$x], (b) => b.reduce('sum', $x, axes, keepDims),
    (dy) => [broadcastTo(reshape(dy, keptShape($x.shape, axes)), $x.shape)]);
}
