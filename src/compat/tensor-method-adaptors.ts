// The chained tensor methods that are not a plain "op with the tensor first": TensorFlow.js puts the
// receiver elsewhere (where, concat, stack), or the method is a small composition of ops (toFloat,
// as2D, flatten, clone, ...). Each takes the receiver first, like the ops, so that one table in
// tensor-methods.ts installs them all. Return types are written out: the table's inferred type feeds
// the Tensor interface, so inferring them from the bodies would be circular.
import { ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/create.js';
import type { DType } from '../tensor/dtype.js';
import { Variable, variable } from '../autograd/variable.js';
import { runOp } from '../ops/engine.js';
import { reshape } from '../ops/reshape.js';
import { cast } from '../ops/cast.js';
import { notEqual } from '../ops/compare.js';
import { where } from '../ops/where.js';
import { concat, stack } from '../ops/concat.js';

/** `t.where(condition, other)`: t where condition is nonzero, else other — tf.where(condition, t, other). */
export function whereMethod(x: Tensor, condition: TensorLike, other: TensorLike): Tensor {
  return where(condition, x, other);
}

/** `t.concat(others, axis?)`: concat([t, ...others], axis); one tensor counts as a list of one. */
export function concatMethod(x: Tensor, others: Tensor | TensorLike[], axis?: number): Tensor {
  return concat(others instanceof Tensor ? [x, others] : [x, ...others], axis);
}

/** `t.stack(others, axis?)`: stack([t, ...others], axis); one tensor counts as a list of one. */
export function stackMethod(x: Tensor, others: Tensor | TensorLike[], axis?: number): Tensor {
  return stack(others instanceof Tensor ? [x, others] : [x, ...others], axis);
}

/** `t.toFloat()`: cast to float32. */
export function toFloat(x: Tensor): Tensor {
  return cast(x, 'float32');
}

/** `t.toInt()`: cast to int32, truncating toward zero. */
export function toInt(x: Tensor): Tensor {
  return cast(x, 'int32');
}

/**
 * `t.toBool()`: 1 where t is nonzero (NaN included), else 0, as int32 — Strata's stand-in for
 * TensorFlow.js's bool dtype, the same one its comparisons return.
 */
export function toBool(x: Tensor): Tensor {
  return notEqual(x, 0);
}

/** `t.asType(dtype)`: TensorFlow.js's other name for `t.cast(dtype)`. */
export function asType(x: Tensor, dtype: DType): Tensor {
  return cast(x, dtype);
}

/** `t.asScalar()`: a one-element tensor as shape []. */
export function asScalar(x: Tensor): Tensor {
  if (x.size !== 1) {
    throw new ShapeError(`asScalar: expected a tensor of one element, got shape ${fmtShape(x.shape)}; reduce it first (t.sum(), t.mean()) or slice one element`);
  }
  return reshape(x, []);
}

/** `t.as1D()`: all elements as shape [size]. */
export function as1D(x: Tensor): Tensor {
  return reshape(x, [x.size]);
}

/** `t.as2D(rows, columns)`: reshape to [rows, columns]. */
export function as2D(x: Tensor, rows: number, columns: number): Tensor {
  return reshape(x, [rows, columns]);
}

/** `t.as3D(rows, columns, depth)`: reshape to [rows, columns, depth]. */
export function as3D(x: Tensor, rows: number, columns: number, depth: number): Tensor {
  return reshape(x, [rows, columns, depth]);
}

/** `t.as4D(rows, columns, depth, depth2)`: reshape to rank 4. */
export function as4D(x: Tensor, rows: number, columns: number, depth: number, depth2: number): Tensor {
  return reshape(x, [rows, columns, depth, depth2]);
}

/** `t.as5D(rows, columns, depth, depth2, depth3)`: reshape to rank 5. */
export function as5D(x: Tensor, rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor {
  return reshape(x, [rows, columns, depth, depth2, depth3]);
}

/** `t.flatten()`: all elements as shape [size] (the same as `as1D`). */
export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.size]);
}

/** `t.reshapeAs(other)`: reshape to other's shape. */
export function reshapeAs(x: Tensor, other: Tensor): Tensor {
  return reshape(x, other.shape);
}

/**
 * `t.clone()`: a new tensor with t's values; its gradient passes through unchanged. Of a Variable,
 * a plain tensor that keeps today's values when the variable is later assigned (assign replaces the
 * variable's storage and never writes into it, so sharing it here is safe).
 */
export function clone(x: Tensor): Tensor {
  return runOp('Clone', [x], () => new Tensor(x.values, x.shape), (dy) => [dy]);
}

/**
 * `t.variable(trainable?, name?, dtype?)`: a Variable holding a copy of t, as tf.Variable's
 * positional form (trainable defaults to true).
 */
export function variableMethod(x: Tensor, trainable = true, name?: string, dtype?: DType): Variable {
  return variable(x, { trainable, name, dtype });
}

/**
 * `t.dispose()`: does nothing. Strata's memory is reclaimed by the garbage collector; the method
 * exists so that TensorFlow.js programs run unchanged, and the tensor stays usable after it.
 */
export function dispose(_x: Tensor): void {
  // Nothing to free: storage is a typed array the garbage collector owns.
}
