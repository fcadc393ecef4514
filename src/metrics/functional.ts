import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { ShapeError, fmtShape } from '../errors.js';
import { argMax, cast, equal, greater, mean, reshape, sub, abs, square } from '../ops/index.js';
import { Tensor as TensorClass } from '../tensor/tensor.js';

/** Per-sample metric in Keras' functional form: (yTrue, yPred) → one value per sample. */
export type MetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** 1 where (yPred > threshold) equals yTrue, averaged over the last axis (threshold 0.5). */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike, threshold = 0.5): Tensor {
  const t = toTensor(yTrue, 'binaryAccuracy', 'yTrue');
  const p = toTensor(yPred, 'binaryAccuracy', 'yPred');
  return mean(cast(equal(greater(p, threshold), greater(t, 0.5)), 'float32'), -1);
}

/** 1 where argmax(yPred) equals argmax(yTrue) (one-hot labels). */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const t = toTensor(yTrue, 'categoricalAccuracy', 'yTrue');
  const p = toTensor(yPred, 'categoricalAccuracy', 'yPred');
  return cast(equal(argMax(t, -1), argMax(p, -1)), 'float32');
}

/** 1 where argmax(yPred) equals the integer label (yTrue [batch] or [batch, 1]). */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  let t = toTensor(yTrue, 'sparseCategoricalAccuracy', 'yTrue');
  const p = toTensor(yPred, 'sparseCategoricalAccuracy', 'yPred');
  const lead = p.shape.slice(0, -1);
  if (t.shape.length === p.shape.length && t.shape[t.shape.length - 1] === 1) t = reshape(t, lead);
  if (t.size !== lead.reduce((a, b) => a * b, 1)) {
    throw new ShapeError(`sparseCategoricalAccuracy: yTrue ${fmtShape(t.shape)} must hold one label per row of yPred ${fmtShape(p.shape)}`);
  }
  return cast(equal(cast(t, 'int32'), argMax(p, -1)), 'float32');
}

/** 1 where the true class (one-hot yTrue) is among the k highest scores of yPred (k = 5). */
export function topKCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike, k = 5): Tensor {
  const t = toTensor(yTrue, 'topKCategoricalAccuracy', 'yTrue');
  const p = toTensor(yPred, 'topKCategoricalAccuracy', 'yPred');
  const classes = p.shape[p.shape.length - 1];
  const rows = p.size / classes;
  const labels = argMax(t, -1).values;
  const out = new Float32Array(rows);
  const v = p.values;
  for (let r = 0; r < rows; r++) {
    const target = v[r * classes + labels[r]];
    let higher = 0;
    // Ties count in the label's favour, as TensorFlow's in_top_k.
    for (let c = 0; c < classes; c++) if (v[r * classes + c] > target) higher++;
    out[r] = higher < k ? 1 : 0;
  }
  return new TensorClass(out, p.shape.slice(0, -1));
}

/** mean |yTrue − yPred| over the last axis. */
export function mae(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return mean(abs(sub(toTensor(yPred, 'mae', 'yPred'), toTensor(yTrue, 'mae', 'yTrue'))), -1);
}

/** mean (yTrue − yPred)² over the last axis. */
export function mse(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return mean(square(sub(toTensor(yPred, 'mse', 'yPred'), toTensor(yTrue, 'mse', 'yTrue'))), -1);
}
