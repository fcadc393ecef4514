import { ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, scalar, toTensor } from '../tensor/create.js';
import { normalizeAxes, normalizeAxis } from '../tensor/shape.js';
import type { ReduceOp } from '../kernels/reduce-kernels.js';
import { kernels } from '../kernels/registry.js';
import { runOp } from './engine.js';
import { reshape } from './reshape.js';
import { broadcastTo } from './broadcast-to.js';
import { div, mul } from './arithmetic.js';
import { cast } from './cast.js';
import { where } from './where.js';

/** Axis argument of reductions: one axis, a list, or all axes when omitted. */
export type Axis = number | number[];

/** Shape of x with the reduced axes kept as 1s, so a reduced result broadcasts back against x. */
export function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** The shape a reduction returns: reduced axes dropped, or kept as 1s with keepDims. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
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

/**
 * Arithmetic mean over `axis` (all axes when omitted); `keepDims` keeps reduced axes as 1s.
 * An int32 input gives a float32 mean, as TensorFlow.js.
 * @example st.mean(x, -1) // average over the last axis
 */
export function mean(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  let $x = toTensor(x, 'mean', 'x');
  const axes = normalizeAxes('mean', axis, $x.rank);
  if ($x.dtype === 'int32') $x = cast($x, 'float32');
  const xf = $x;
  const count = axes.reduce((n, a) => n * xf.shape[a], 1);
  return runOp('Mean', [xf], (b) => b.binary('div', b.reduce('sum', xf, axes, keepDims), scalar(count, xf.dtype)),
    (dy) => [broadcastTo(reshape(div(dy, scalar(count, dy.dtype)), keptShape(xf.shape, axes)), xf.shape)]);
}

/** max/min: the gradient goes to every element equal to the extremum (ties all get it, as TensorFlow.js). */
function extremum(name: 'max' | 'min', x: TensorLike, axis: Axis | undefined, keepDims: boolean): Tensor {
  const $x = toTensor(x, name, 'x');
  const axes = normalizeAxes(name, axis, $x.rank);
  const op: ReduceOp = name;
  return runOp(name === 'max' ? 'Max' : 'Min', [$x], (b) => b.reduce(op, $x, axes, keepDims), (dy, y) => {
    const kept = keptShape($x.shape, axes);
    // A constant 0/1 mask: which elements reached the extremum.
    const mask = kernels().binary('equal', $x, new Tensor(y.values, kept));
    return [mul(reshape(dy, kept), mask)];
  });
}

/**
 * Largest element over `axis` (all axes when omitted); `keepDims` keeps reduced axes as 1s.
 * The gradient flows to every element equal to the maximum.
 * @example st.max(st.tensor([[1, 5], [7, 2]]), 1) // [5, 7]
 */
export function max(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  return extremum('max', x, axis, keepDims);
}

/**
 * Smallest element over `axis` (all axes when omitted); `keepDims` keeps reduced axes as 1s.
 * The gradient flows to every element equal to the minimum.
 * @example st.min(st.tensor([[1, 5], [7, 2]]), 0) // [1, 2]
 */
export function min(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  return extremum('min', x, axis, keepDims);
}

/**
 * Product over `axis` (all axes when omitted); `keepDims` keeps reduced axes as 1s.
 * The gradient is the product of the other elements, exact also where x holds zeros.
 * @example st.prod(st.tensor([[1, 2], [3, 4]]), 1) // [2, 12]
 */
export function prod(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const $x = toTensor(x, 'prod', 'x');
  const axes = normalizeAxes('prod', axis, $x.rank);
  return runOp('Prod', [$x], (b) => b.reduce('prod', $x, axes, keepDims),
    (dy, y) => [prodGrad($x, axes, dy, y)]);
}

function prodGrad(x: Tensor, axes: number[], dy: Tensor, y: Tensor): Tensor {
  const kept = keptShape(x.shape, axes);
  const dyK = reshape(dy, kept);
  const k = kernels();
  const isZero = k.binary('equal', x, scalar(0, x.dtype));
  let anyZero = false;
  for (let i = 0; i < isZero.size && !anyZero; i++) anyZero = isZero.values[i] !== 0;
  if (!anyZero) return mul(dyK, div(reshape(y, kept), x));
  // d prod / d x_i is the product of the other elements: y / x_i when the slice holds no zero; when
  // it holds exactly one, the zero gets the product of the rest and the others 0; with more, all 0.
  const safe = where(isZero, scalar(1, x.dtype), x);
  const others = prod(safe, axes, true);
  const zeroCount = k.reduce('sum', isZero, axes, true);
  const noZero = k.binary('equal', zeroCount, scalar(0, 'int32'));
  const loneZero = k.binary('mul', isZero, k.binary('equal', zeroCount, scalar(1, 'int32')));
  return mul(dyK, where(noZero, div(others, safe), mul(others, loneZero)));
}

function argReduce(name: 'argMax' | 'argMin', x: TensorLike, axis: number): Tensor {
  const $x = toTensor(x, name, 'x');
  const a = normalizeAxis(name, axis, $x.rank);
  if ($x.rank > 0 && $x.shape[a] === 0) {
    throw new ShapeError(`${name}: axis ${axis} of shape ${fmtShape($x.shape)} is empty; there is no ${name === 'argMax' ? 'largest' : 'smallest'} element`);
  }
  return runOp(name === 'argMax' ? 'ArgMax' : 'ArgMin', [$x], (b) => b.argReduce(name, $x, a));
}

/**
 * Index of the largest element along `axis` (default 0, as TensorFlow.js), as int32 with the axis
 * removed; the first one on ties. Not differentiable.
 * @example st.argMax(logits, -1) // predicted class per row
 */
export function argMax(x: TensorLike, axis = 0): Tensor {
  return argReduce('argMax', x, axis);
}

/**
 * Index of the smallest element along `axis` (default 0), as int32 with the axis removed; the
 * first one on ties. Not differentiable.
 * @example st.argMin(st.tensor([3, 1, 2])) // 1
 */
export function argMin(x: TensorLike, axis = 0): Tensor {
  return argReduce('argMin', x, axis);
}
