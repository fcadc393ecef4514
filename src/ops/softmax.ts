import { ConfigError, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxis } from '../tensor/shape.js';
import { runOp } from './engine.js';
import { isRecording } from '../autograd/tape.js';
import { mul, sub } from './arithmetic.js';
import { exp } from './unary.js';
import { sum } from './reduce.js';

function checkAxis(op: string, x: Tensor, axis: unknown, argName: string): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new ConfigError(`${op}: ${argName} must be an integer axis, got ${JSON.stringify(axis) ?? String(axis)}`);
  }
  if (x.rank === 0) throw new ShapeError(`${op}: logits must have rank ≥ 1, got a scalar — reshape it to [1] or more`);
  return normalizeAxis(op, axis, x.rank);
}

/**
 * exp(x) / Σ exp(x) along `dim`, computed stably (the max is subtracted first). Any axis works,
 * not only the last.
 * @param dim the axis to normalise over (default −1, the last).
 * @example st.softmax(st.tensor([[1, 2, 3]])) // [[0.090, 0.245, 0.665]]
 */
export function softmax(logits: TensorLike, dim = -1): Tensor {
  const $x = toTensor(logits, 'softmax', 'logits');
  const axis = checkAxis('softmax', $x, dim, 'dim');
  // dx = y·(dy − Σ dy·y) along the axis.
  const y = runOp('Softmax', [$x], (k) => k.softmax($x, axis),
    (dy, y) => [mul(y, sub(dy, sum(mul(dy, y), axis, true)))]);
  if (axis === $x.rank - 1 && isRecording()) logitsOfSoftmax.set(y, $x);
  return y;
}

// Softmax outputs along the last axis → their logits, so a cross-entropy on the probabilities can send
// its gradient straight to the logits (Keras' TensorFlow backend does the same through `_keras_logits`).
// Only while a tape records (training), which holds the logits anyway: a prediction does not keep its
// logits alive through its probabilities.
const logitsOfSoftmax = new WeakMap<Tensor, Tensor>();

/** The logits `probs` was computed from when it is a softmax output along the last axis, else null. */
export function softmaxLogitsOf(probs: Tensor): Tensor | null {
  return logitsOfSoftmax.get(probs) ?? null;
}

/**
 * log(softmax(x)) along `axis`, computed stably as x − max − log Σ exp(x − max).
 * @param axis the axis to normalise over (default −1, the last).
 * @example st.logSoftmax(logits) // log-probabilities, for a cross-entropy loss
 */
export function logSoftmax(logits: TensorLike, axis = -1): Tensor {
  const $x = toTensor(logits, 'logSoftmax', 'logits');
  const a = checkAxis('logSoftmax', $x, axis, 'axis');
  // dx = dy − softmax(x)·Σ dy along the axis, with softmax(x) = exp(y).
  return runOp('LogSoftmax', [$x], (k) => k.logSoftmax($x, a),
    (dy, y) => [sub(dy, mul(exp(y), sum(dy, a, true)))]);
}
