import { ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor, zeros } from '../tensor/create.js';
import { broadcastShapes, broadcastedAxes, shapesEqual } from '../tensor/shape.js';
import { runOp } from './engine.js';
import { reshape } from './reshape.js';
import { kernels } from '../kernels/registry.js';

/** Sums a broadcast result's gradient back down to the shape of the input that was broadcast. */
export function sumToShape(dy: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(dy.shape, shape)) return dy;
  const axes = broadcastedAxes(shape, dy.shape);
  return runOp('SumToShape', [dy], (b) => reshape(b.reduce('sum', dy, axes, false), shape),
    (g) => [broadcastTo(g, dy.shape)]);
}

/**
 * Repeats x along its size-1 (or missing leading) dimensions to reach `shape`, as `tf.broadcastTo`.
 */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const $x = toTensor(x, 'broadcastTo', 'x');
  if (shapesEqual($x.shape, shape)) return $x;
  const out = broadcastShapes('broadcastTo', $x.shape, shape);
  if (!shapesEqual(out, shape)) {
    throw new ShapeError(`broadcastTo: cannot broadcast shape ${fmtShape($x.shape)} to ${fmtShape(shape)}`);
  }
  return runOp('BroadcastTo', [$x], () => kernels().binary('add', $x, zeros(shape, $x.dtype)),
    (dy) => [sumToShape(dy, $x.shape)]);
}
