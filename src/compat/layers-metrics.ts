/**
 * TensorFlow.js's metric functions (`tf.metrics.*`, from tfjs-layers): (yTrue, yPred) → one value
 * per sample (reduced over the last axis), except precision, recall and r2Score, which return a
 * scalar for the whole batch. binaryAccuracy, categoricalAccuracy and sparseCategoricalAccuracy are
 * st.metrics' own functions, which already have these semantics.
 */
import { ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { abs, cast, clipByValue, div, maximum, mean, mul, neg, sqrt, square, sub, sum } from '../ops/index.js';
import { binaryCrossentropy as bce, categoricalCrossentropy as cce } from '../losses/losses.js';

/** TF.js's fuzz factor (backend epsilon). */
const EPS = 1e-7;

function pair(name: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  let t = toTensor(yTrue, `metrics.${name}`, 'yTrue');
  let p = toTensor(yPred, `metrics.${name}`, 'yPred');
  if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
    throw new ShapeError(`metrics.${name}: yTrue ${fmtShape(t.shape)} and yPred ${fmtShape(p.shape)} must have the same shape`);
  }
  if (t.dtype === 'int32') t = cast(t, 'float32');
  if (p.dtype === 'int32') p = cast(p, 'float32');
  return [t, p];
}

/** −[y·log p + (1 − y)·log(1 − p)] per sample (mean over the last axis), p clipped to [1e-7, 1 − 1e-7]. */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return bce(yTrue, yPred);
}

/** −Σ y·log p per sample, p normalised to sum to 1 and clipped; one-hot yTrue. */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return cce(yTrue, yPred);
}

/** mean((yPred − yTrue)²) per sample. @example st.metrics.meanSquaredError(yTrue, yPred) // [batch] */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('meanSquaredError', yTrue, yPred);
  return mean(square(sub(p, t)), -1);
}

/** mean(|yPred − yTrue|) per sample. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('meanAbsoluteError', yTrue, yPred);
  return mean(abs(sub(p, t)), -1);
}

/** 100·mean(|yTrue − yPred| / max(|yTrue|, 1e-7)) per sample. */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('meanAbsolutePercentageError', yTrue, yPred);
  return mul(mean(abs(div(sub(t, p), clipByValue(abs(t), EPS, Number.MAX_VALUE))), -1), 100);
}

/** −Σ (yTrue/‖yTrue‖)·(yPred/‖yPred‖) per sample (−1 for aligned vectors; norms floored at √1e-7). */
export function cosineProximity(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('cosineProximity', yTrue, yPred);
  const unit = (x: Tensor): Tensor => div(x, sqrt(maximum(sum(square(x), -1, true), EPS)));
  return neg(sum(mul(unit(t), unit(p)), -1));
}

/** Counts of (yTrue, yPred) pairs equal to exactly (1, 1), (0, 1) and (1, 0), as TF.js counts them. */
function confusion(name: string, yTrue: TensorLike, yPred: TensorLike): { tp: number; fp: number; fn: number } {
  const [t, p] = pair(name, yTrue, yPred);
  let tp = 0, fp = 0, fn = 0;
  const tv = t.values, pv = p.values;
  for (let i = 0; i < tv.length; i++) {
    if (tv[i] === 1 && pv[i] === 1) tp++;
    else if (tv[i] === 0 && pv[i] === 1) fp++;
    else if (tv[i] === 1 && pv[i] === 0) fn++;
  }
  return { tp, fp, fn };
}

/**
 * Precision of 0/1 predictions over the whole batch, tp / (tp + fp) (0 when nothing is predicted
 * positive), as `tf.metrics.precision(yTrue, yPred)`: yPred must already be thresholded to 0/1.
 * For a thresholding, stateful metric in compile, use `st.metrics.precision({ threshold })`.
 */
export function precisionValue(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const { tp, fp } = confusion('precision', yTrue, yPred);
  return new Tensor(Float32Array.of(tp + fp > 0 ? tp / (tp + fp) : 0), []);
}

/** Recall of 0/1 predictions over the whole batch, tp / (tp + fn) (0 without positives), as `tf.metrics.recall`. */
export function recallValue(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const { tp, fn } = confusion('recall', yTrue, yPred);
  return new Tensor(Float32Array.of(tp + fn > 0 ? tp / (tp + fn) : 0), []);
}

/** R² over the whole batch: 1 − Σ(yTrue − yPred)² / Σ(yTrue − mean(yTrue))², a scalar, as `tf.metrics.r2Score`. */
export function r2Score(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = pair('r2Score', yTrue, yPred);
  return sub(1, div(sum(square(sub(t, p))), sum(square(sub(t, mean(t))))));
}

/** TF.js alias of meanSquaredError. */
export const MSE = meanSquaredError;
/** TF.js alias of meanAbsolutePercentageError. */
export const MAPE = meanAbsolutePercentageError;
/** TF.js alias of meanAbsolutePercentageError. */
export const mape = meanAbsolutePercentageError;
