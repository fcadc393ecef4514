import type { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/create.js';
import { toTensor } from '../tensor/create.js';
import { ShapeError, fmtShape } from '../errors.js';
import { type Reduction, weightedSquaredError } from '../compat/core-losses.js';
import {
  abs, add, clipByValue, div, log, log1p, logSoftmax, maximum, mean, minimum, mul, neg, relu, softplus, square,
  sub, sum, max, sqrt, oneHot, cast, reshape, exp,
} from '../ops/index.js';
import { crossEntropyOfProbs, fusedSoftmaxCrossEntropy } from '../ops/softmax-cross-entropy.js';
import { CROSSENTROPY_EPSILON } from '../kernels/loss-kernels.js';

/**
 * Loss functions in Keras' functional form: (yTrue, yPred) → the loss of each sample, reduced over
 * the last axis ([batch, ...] → [batch, ...-1]). Models average them over the batch with sample
 * weights; call `st.mean` on the result for a scalar.
 */
export type LossFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** Keras' fuzz factor: probabilities are clipped to [EPSILON, 1 − EPSILON] before logs. */
export const EPSILON = CROSSENTROPY_EPSILON;

function pair(name: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  const t = toTensor(yTrue, name, 'yTrue');
  const p = toTensor(yPred, name, 'yPred');
  if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new ShapeError(`${name}: yTrue ${fmtShape(t.shape)} and yPred ${fmtShape(p.shape)} must have the same shape` +
      (p.shape.length === 2 && t.shape.length <= 2 ? ' — for integer class labels use sparseCategoricalCrossentropy' : ''));
  }
  return [t.dtype === 'int32' ? cast(t, p.dtype) : t, p];
}

/**
 * mean((yPred − yTrue)²) over the last axis: Keras' per-sample form, what compile's 'mse' uses
 * (also `st.metrics.meanSquaredError`, as TF.js's metric).
 */
export function meanSquaredErrorPerSample(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('meanSquaredError', yTrue, yPred);
  return mean(square(sub(p, t)), -1);
}

/**
 * TF.js's core `tf.losses.meanSquaredError(labels, predictions, weights?, reduction?)`: (labels −
 * predictions)² weighted and reduced, by default to a scalar (Reduction.SUM_BY_NONZERO_WEIGHTS: the
 * mean over all elements without weights). For Keras' per-sample values use
 * `meanSquaredErrorPerSample` or `st.metrics.meanSquaredError`.
 * @example st.losses.meanSquaredError(yTrue, yPred) // scalar, as TF.js
 */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike, weights?: TensorLike | null, reduction?: Reduction): Tensor {
  return weightedSquaredError(yTrue, yPred, weights, reduction);
}

/** mean(|yPred − yTrue|) over the last axis. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('meanAbsoluteError', yTrue, yPred);
  return mean(abs(sub(p, t)), -1);
}

/** 100 · mean(|yTrue − yPred| / max(|yTrue|, ε)) over the last axis. */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('meanAbsolutePercentageError', yTrue, yPred);
  return mul(mean(abs(div(sub(t, p), maximum(abs(t), EPSILON))), -1), 100);
}

/** mean((log(1 + max(yPred, ε)) − log(1 + max(yTrue, ε)))²) over the last axis. */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('meanSquaredLogarithmicError', yTrue, yPred);
  return mean(square(sub(log1p(maximum(p, EPSILON)), log1p(maximum(t, EPSILON)))), -1);
}

/** Huber loss: quadratic for |error| ≤ delta (default 1), linear beyond. */
export function huber(yTrue: TensorLike, yPred: TensorLike, delta = 1): Tensor {
  const [t, p] = pair('huber', yTrue, yPred);
  const a = abs(sub(p, t));
  const quadratic = minimum(a, delta);
  const linear = sub(a, quadratic);
  return mean(add(mul(square(quadratic), 0.5), mul(linear, delta)), -1);
}

/** mean(log(cosh(yPred − yTrue))) over the last axis, computed without overflow. */
export function logCosh(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('logCosh', yTrue, yPred);
  const x = sub(p, t);
  // log cosh x = x + softplus(−2x) − log 2
  return mean(sub(add(x, softplus(mul(x, -2))), Math.LN2), -1);
}

export interface CrossentropyOptions {
  /** yPred holds logits rather than probabilities (default false). */
  fromLogits?: boolean;
  /** Moves labels toward uniform by this amount in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/** −[y·log p + (1 − y)·log(1 − p)] averaged over the last axis. */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts: CrossentropyOptions = {}): Tensor {
  let [t, p] = pair('binaryCrossentropy', yTrue, yPred);
  const ls = opts.labelSmoothing ?? 0;
  if (ls) t = add(mul(t, 1 - ls), 0.5 * ls);
  if (opts.fromLogits) {
    // max(x, 0) − x·z + log(1 + e^−|x|): stable for any logit.
    return mean(add(sub(relu(p), mul(p, t)), log1p(exp(neg(abs(p))))), -1);
  }
  const q = clipByValue(p, EPSILON, 1 - EPSILON);
  return mean(neg(add(mul(t, log(q)), mul(sub(1, t), log(sub(1, q))))), -1);
}

/** −Σ y·log p over the last axis; yTrue one-hot (or soft) labels. */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts: CrossentropyOptions = {}): Tensor {
  let [t, p] = pair('categoricalCrossentropy', yTrue, yPred);
  const ls = opts.labelSmoothing ?? 0;
  if (ls) t = add(mul(t, 1 - ls), ls / p.shape[p.shape.length - 1]);
  if (opts.fromLogits) return neg(sum(mul(t, logSoftmax(p, -1)), -1));
  // p straight from a softmax: one fused kernel, its gradient to the logits (same values as below).
  return fusedSoftmaxCrossEntropy(t, p) ?? crossEntropyOfProbs(t, p);
}

/** Categorical crossentropy with integer class labels: yTrue [batch] or [batch, 1], yPred [batch, classes]. */
export function sparseCategoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, opts: { fromLogits?: boolean } = {}): Tensor {
  const p = toTensor(yPred, 'sparseCategoricalCrossentropy', 'yPred');
  let t = toTensor(yTrue, 'sparseCategoricalCrossentropy', 'yTrue');
  const classes = p.shape[p.shape.length - 1];
  const lead = p.shape.slice(0, -1);
  if (t.shape.length === p.shape.length && t.shape[t.shape.length - 1] === 1) t = reshape(t, lead);
  if (t.shape.length !== lead.length || t.shape.some((d, i) => d !== lead[i])) {
    throw new ShapeError(`sparseCategoricalCrossentropy: yTrue ${fmtShape(t.shape)} must hold one class index per row of yPred ` +
      `${fmtShape(p.shape)}, i.e. shape ${fmtShape(lead)}`);
  }
  const labels = t.dtype === 'int32' ? t : cast(t, 'int32');
  return categoricalCrossentropy(cast(oneHot(labels, classes), p.dtype), p, { fromLogits: opts.fromLogits });
}

/** Σ y·log(y / p) over the last axis, both clipped to [ε, 1]. */
export function kullbackLeiblerDivergence(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('kullbackLeiblerDivergence', yTrue, yPred);
  const y = clipByValue(t, EPSILON, 1);
  const q = clipByValue(p, EPSILON, 1);
  return sum(mul(y, log(div(y, q))), -1);
}

/** mean(yPred − yTrue·log(yPred + ε)) over the last axis. */
export function poisson(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('poisson', yTrue, yPred);
  return mean(sub(p, mul(t, log(add(p, EPSILON)))), -1);
}

/** Labels in {0, 1} become {−1, 1}, as Keras' hinge losses expect. */
function signedLabels(t: Tensor): Tensor {
  return sub(mul(t, 2), 1);
}

function isZeroOne(t: Tensor): boolean {
  return Array.prototype.every.call(t.values, (v: number) => v === 0 || v === 1) as boolean;
}

/** mean(max(1 − y·p, 0)) over the last axis; labels −1/1 (0/1 are converted). */
export function hinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('hinge', yTrue, yPred);
  const y = isZeroOne(t) ? signedLabels(t) : t;
  return mean(relu(sub(1, mul(y, p))), -1);
}

/** mean(max(1 − y·p, 0)²) over the last axis. */
export function squaredHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('squaredHinge', yTrue, yPred);
  const y = isZeroOne(t) ? signedLabels(t) : t;
  return mean(square(relu(sub(1, mul(y, p)))), -1);
}

/** max(max((1 − y)·p) − Σ y·p + 1, 0) per sample; one-hot labels. */
export function categoricalHinge(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('categoricalHinge', yTrue, yPred);
  const pos = sum(mul(t, p), -1);
  const negative = max(mul(sub(1, t), p), -1);
  return relu(add(sub(negative, pos), 1));
}

/** −cos(yTrue, yPred) along the last axis (−1 for aligned vectors). */
export function cosineSimilarity(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('cosineSimilarity', yTrue, yPred);
  const unit = (x: Tensor): Tensor => div(x, sqrt(maximum(sum(square(x), -1, true), 1e-12)));
  return neg(sum(mul(unit(t), unit(p)), -1));
}
