/**
 * TensorFlow.js's core losses (`tf.losses.*`): elementwise losses reduced by `computeWeightedLoss`,
 * by default to one scalar (Reduction.SUM_BY_NONZERO_WEIGHTS). They differ from the Keras-form
 * per-sample losses that `model.compile` uses (st.losses.meanSquaredError(yTrue, yPred) etc.).
 */
import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, onesLike, toTensor } from '../tensor/create.js';
import {
  abs, add, cast, div, exp, log, log1p, logSoftmax, mean, minimum, mul, neg, notEqual, relu, square, sub, sum,
} from '../ops/index.js';

/** How `computeWeightedLoss` reduces the weighted losses (TF.js's numeric enum values). */
export const Reduction = { NONE: 0, MEAN: 1, SUM: 2, SUM_BY_NONZERO_WEIGHTS: 3 } as const;
export type Reduction = (typeof Reduction)[keyof typeof Reduction];

function asFloat(x: TensorLike, op: string, arg: string): Tensor {
  const t = toTensor(x, op, arg);
  return t.dtype === 'int32' ? cast(t, 'float32') : t;
}

function pair(op: string, a: TensorLike, b: TensorLike, names: [string, string]): [Tensor, Tensor] {
  const x = asFloat(a, op, names[0]);
  const y = asFloat(b, op, names[1]);
  if (x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i])) {
    throw new ShapeError(`losses.${op}: ${names[0]} ${fmtShape(x.shape)} and ${names[1]} ${fmtShape(y.shape)} must have the same shape`);
  }
  return [x, y];
}

/**
 * Weights the elementwise `losses` and reduces them, as `tf.losses.computeWeightedLoss`.
 * NONE: the weighted losses; SUM: their sum; MEAN: sum / sum of weights (broadcast weights counted
 * once per element they cover); SUM_BY_NONZERO_WEIGHTS (default): sum / number of nonzero weights
 * (of all elements when no weights are given).
 * @param weights a scalar or a tensor that broadcasts to `losses`.
 * @example st.losses.computeWeightedLoss(st.tensor([1, 2, 3]), st.tensor([1, 0, 1])) // (1 + 3) / 2 = 2
 */
export function computeWeightedLoss(losses: TensorLike, weights?: TensorLike | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const l = asFloat(losses, 'computeWeightedLoss', 'losses');
  const w = weights === undefined || weights === null ? null : asFloat(weights, 'computeWeightedLoss', 'weights');
  const weighted = w ? mul(l, w) : l;
  switch (reduction) {
    case Reduction.NONE:
      return weighted;
    case Reduction.SUM:
      return sum(weighted);
    case Reduction.MEAN: {
      if (!w) return mean(weighted);
      const result = div(sum(weighted), sum(w));
      const factor = l.size / w.size;
      return factor > 1 ? div(result, factor) : result;
    }
    case Reduction.SUM_BY_NONZERO_WEIGHTS: {
      if (!w) return div(sum(weighted), l.size);
      const nonZero = cast(sum(cast(notEqual(mul(w, onesLike(l)), 0), 'float32')), 'float32');
      return div(sum(weighted), nonZero);
    }
    default:
      throw new ConfigError(`losses.computeWeightedLoss: unknown reduction ${JSON.stringify(reduction)}; use ` +
        'st.losses.Reduction.NONE, MEAN, SUM or SUM_BY_NONZERO_WEIGHTS');
  }
}

/**
 * |labels − predictions|, weighted and reduced, as `tf.losses.absoluteDifference`.
 * @example st.losses.absoluteDifference(yTrue, yPred) // scalar mean absolute error
 */
export function absoluteDifference(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const [t, p] = pair('absoluteDifference', labels, predictions, ['labels', 'predictions']);
  return computeWeightedLoss(abs(sub(t, p)), weights, reduction);
}

/** (labels − predictions)², weighted and reduced: the TF.js core form of meanSquaredError (see losses.ts). */
export function weightedSquaredError(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const [t, p] = pair('meanSquaredError', labels, predictions, ['labels', 'predictions']);
  return computeWeightedLoss(square(sub(t, p)), weights, reduction);
}

/**
 * 1 − Σ labels·predictions along `axis` (inputs assumed unit-normalised), as `tf.losses.cosineDistance`.
 * @example st.losses.cosineDistance(a, b, -1)
 */
export function cosineDistance(labels: TensorLike, predictions: TensorLike, axis: number, weights?: TensorLike | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const [t, p] = pair('cosineDistance', labels, predictions, ['labels', 'predictions']);
  if (typeof axis !== 'number') throw new ConfigError(`losses.cosineDistance: axis (the third argument) is required, got ${JSON.stringify(axis)}`);
  return computeWeightedLoss(sub(1, sum(mul(t, p), axis, true)), weights, reduction);
}

/**
 * max(0, 1 − (2·labels − 1)·predictions) for labels in {0, 1}, as `tf.losses.hingeLoss`.
 * @example st.losses.hingeLoss(st.tensor([1, 0]), st.tensor([0.3, -2]))
 */
export function hingeLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const [t, p] = pair('hingeLoss', labels, predictions, ['labels', 'predictions']);
  return computeWeightedLoss(relu(sub(1, mul(sub(mul(t, 2), 1), p))), weights, reduction);
}

/**
 * Huber loss: ½e² for |e| ≤ delta, delta·(|e| − ½delta) beyond (default delta 1), as `tf.losses.huberLoss`.
 * @example st.losses.huberLoss(yTrue, yPred, undefined, 0.5)
 */
export function huberLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, delta = 1,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const [t, p] = pair('huberLoss', labels, predictions, ['labels', 'predictions']);
  const err = abs(sub(p, t));
  const quadratic = minimum(err, delta);
  return computeWeightedLoss(add(mul(square(quadratic), 0.5), mul(sub(err, quadratic), delta)), weights, reduction);
}

/**
 * −labels·log(p + ε) − (1 − labels)·log(1 − p + ε) on probabilities (ε 1e-7), as `tf.losses.logLoss`.
 * @example st.losses.logLoss(st.tensor([1, 0]), st.tensor([0.9, 0.2]))
 */
export function logLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, epsilon = 1e-7,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const [t, p] = pair('logLoss', labels, predictions, ['labels', 'predictions']);
  const l1 = neg(mul(t, log(add(p, epsilon))));
  const l2 = mul(sub(1, t), log(add(sub(1, p), epsilon)));
  return computeWeightedLoss(sub(l1, l2), weights, reduction);
}

/**
 * Sigmoid cross-entropy on logits, elementwise: max(x, 0) − x·z + log(1 + e^−|x|); with
 * labelSmoothing s the labels become z·(1 − s) + s/2. As `tf.losses.sigmoidCrossEntropy`.
 * @example st.losses.sigmoidCrossEntropy(st.tensor([[1, 0]]), st.tensor([[2.0, -1.0]]))
 */
export function sigmoidCrossEntropy(multiClassLabels: TensorLike, logits: TensorLike, weights?: TensorLike | null,
  labelSmoothing = 0, reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  let [z, x] = pair('sigmoidCrossEntropy', multiClassLabels, logits, ['multiClassLabels', 'logits']);
  if (labelSmoothing > 0) z = add(mul(z, 1 - labelSmoothing), 0.5 * labelSmoothing);
  const losses = add(sub(relu(x), mul(x, z)), log1p(exp(neg(abs(x)))));
  return computeWeightedLoss(losses, weights, reduction);
}

/**
 * Softmax cross-entropy of one-hot labels and logits over the last axis (one loss per row, then
 * weighted and reduced); with labelSmoothing s the labels become y·(1 − s) + s/numClasses.
 * As `tf.losses.softmaxCrossEntropy`.
 * @example st.losses.softmaxCrossEntropy(st.tensor([[0, 1]]), st.tensor([[1.0, 3.0]]))
 */
export function softmaxCrossEntropy(onehotLabels: TensorLike, logits: TensorLike, weights?: TensorLike | null,
  labelSmoothing = 0, reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  let [y, x] = pair('softmaxCrossEntropy', onehotLabels, logits, ['onehotLabels', 'logits']);
  if (labelSmoothing > 0) {
    // TF.js divides by shape[1], the class axis of [batch, classes] inputs.
    const classes = y.shape.length > 1 ? y.shape[1] : y.shape[0];
    y = add(mul(y, 1 - labelSmoothing), labelSmoothing / classes);
  }
  const losses = neg(sum(mul(y, logSoftmax(x, -1)), -1));
  return computeWeightedLoss(losses, weights, reduction);
}

