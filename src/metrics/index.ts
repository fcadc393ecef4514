import { ConfigError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/create.js';
import { precisionValue, recallValue } from '../compat/layers-metrics.js';
import { binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, topKCategoricalAccuracy, mae, mse, type MetricFn } from './functional.js';
import { Metric, MeanMetricWrapper } from './metric.js';
import { AUC, Precision, R2Score, Recall, RootMeanSquaredError } from './confusion.js';
import { binaryCrossentropy, categoricalCrossentropy, sparseCategoricalCrossentropy } from '../losses/losses.js';

export * from './functional.js';
export { Metric, MeanMetricWrapper } from './metric.js';
export { AUC, Precision, R2Score, Recall, RootMeanSquaredError } from './confusion.js';

// TF.js metric functions (tf.metrics.*): per-sample values, as TF.js's layers metrics.
export {
  binaryCrossentropy, categoricalCrossentropy, meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError,
  cosineProximity, r2Score, MSE, MAPE, mape,
} from '../compat/layers-metrics.js';

/**
 * Precision. `precision({ threshold = 0.5, name })`: a stateful Metric for compile (yPred > threshold is
 * positive). `precision(yTrue, yPred)`: TF.js's function, a scalar over the batch for 0/1 predictions.
 * @example model.compile({ ..., metrics: [st.metrics.precision({ threshold: 0.3 })] })
 */
export function precision(opts?: { threshold?: number; name?: string }): Metric;
export function precision(yTrue: TensorLike, yPred: TensorLike): Tensor;
export function precision(a?: unknown, b?: unknown): Metric | Tensor {
  if (b !== undefined) return precisionValue(a as TensorLike, b as TensorLike);
  const opts = (a ?? {}) as { threshold?: number; name?: string };
  return new Precision(opts.threshold, opts.name);
}

/**
 * Recall. `recall({ threshold = 0.5, name })`: a stateful Metric for compile. `recall(yTrue, yPred)`:
 * TF.js's function, a scalar over the batch for 0/1 predictions.
 */
export function recall(opts?: { threshold?: number; name?: string }): Metric;
export function recall(yTrue: TensorLike, yPred: TensorLike): Tensor;
export function recall(a?: unknown, b?: unknown): Metric | Tensor {
  if (b !== undefined) return recallValue(a as TensorLike, b as TensorLike);
  const opts = (a ?? {}) as { threshold?: number; name?: string };
  return new Recall(opts.threshold, opts.name);
}
/** Area under the ROC or PR curve. */
export const auc = (opts: { numThresholds?: number; curve?: 'ROC' | 'PR'; name?: string } = {}): Metric => new AUC(opts.numThresholds, opts.curve, opts.name);
/** Root mean squared error. */
export const rmse = (opts: { name?: string } = {}): Metric => new RootMeanSquaredError(opts.name);
/** R² (coefficient of determination). */
export const r2 = (opts: { name?: string } = {}): Metric => new R2Score(opts.name);

/** What 'accuracy' means for a loss: binary, sparse or categorical, as Keras decides it. */
export function accuracyFor(lossName: string | undefined, outputDim: number | null): MetricFn {
  const loss = (lossName ?? '').replace(/_/g, '').toLowerCase();
  if (loss.includes('sparse')) return (t, p) => sparseCategoricalAccuracy(t, p);
  if (loss.includes('binary') || loss.includes('hinge') && !loss.includes('categorical') || outputDim === 1) return (t, p) => binaryAccuracy(t, p);
  return (t, p) => categoricalAccuracy(t, p);
}

/** What 'crossentropy' / 'ce' means for a loss: binary, sparse or categorical, as TensorFlow.js decides it. */
export function crossentropyFor(lossName: string | undefined, outputDim: number | null): MetricFn {
  const loss = (lossName ?? '').replace(/_/g, '').toLowerCase();
  if (outputDim === 1 || loss === 'binarycrossentropy') return (t, p) => binaryCrossentropy(t, p);
  if (loss === 'sparsecategoricalcrossentropy') return (t, p) => sparseCategoricalCrossentropy(t, p);
  return (t, p) => categoricalCrossentropy(t, p);
}

const STATEFUL: Record<string, () => Metric> = {
  precision: () => new Precision(), recall: () => new Recall(), auc: () => new AUC(),
  rmse: () => new RootMeanSquaredError(), rootmeansquarederror: () => new RootMeanSquaredError(), r2: () => new R2Score(), r2score: () => new R2Score(),
};

const FUNCTIONAL: Record<string, [string, MetricFn]> = {
  binaryaccuracy: ['binary_accuracy', (t, p) => binaryAccuracy(t, p)],
  categoricalaccuracy: ['categorical_accuracy', (t, p) => categoricalAccuracy(t, p)],
  sparsecategoricalaccuracy: ['sparse_categorical_accuracy', (t, p) => sparseCategoricalAccuracy(t, p)],
  topkcategoricalaccuracy: ['top_k_categorical_accuracy', (t, p) => topKCategoricalAccuracy(t, p)],
  mae: ['mae', mae], meanabsoluteerror: ['mae', mae], mse: ['mse', mse], meansquarederror: ['mse', mse],
};

/**
 * A fresh metric from a name ('accuracy'/'acc', 'crossentropy'/'ce', 'binaryAccuracy', 'precision', 'auc', 'mae', 'rmse',
 * 'r2', ...), a Metric, or a function (yTrue, yPred) → per-sample values (custom metric).
 * 'accuracy' picks binary, sparse or categorical accuracy from the loss, as Keras does.
 */
export function getMetric(id: string | Metric | MetricFn, context: { loss?: string; outputDim?: number | null } = {}): Metric {
  if (id instanceof Metric) return id;
  if (typeof id === 'function') return new MeanMetricWrapper(id.name || 'custom', id as (t: Tensor, p: Tensor) => Tensor);
  if (typeof id === 'string') {
    const key = id.replace(/_/g, '').toLowerCase();
    if (key === 'accuracy' || key === 'acc') return new MeanMetricWrapper(id, accuracyFor(context.loss, context.outputDim ?? null));
    if (key === 'crossentropy' || key === 'ce') return new MeanMetricWrapper(id, crossentropyFor(context.loss, context.outputDim ?? null));
    if (STATEFUL[key]) return STATEFUL[key]();
    if (FUNCTIONAL[key]) return new MeanMetricWrapper(FUNCTIONAL[key][0], FUNCTIONAL[key][1]);
  }
  throw new ConfigError(`metrics: unknown metric ${JSON.stringify(id)}; use accuracy, binaryAccuracy, categoricalAccuracy, ` +
    `sparseCategoricalAccuracy, topKCategoricalAccuracy, crossentropy, precision, recall, auc, mae, mse, rmse, r2, or a function`);
}
