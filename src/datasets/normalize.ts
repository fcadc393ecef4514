import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';

/** Statistics of a fitted normalisation: apply them to other data with `applyNormalization`. */
export interface NormalizationStats {
  method: 'minmax' | 'standardize';
  /** The axis with one statistic per entry (Keras' `axis`), or null for one statistic over everything. */
  axis: number | null;
  /** minmax: per-feature minimum and maximum. */
  min?: number[];
  max?: number[];
  /** standardize: per-feature mean and standard deviation (population, ÷ n). */
  mean?: number[];
  std?: number[];
}

/** Options of `fitNormalization` and `normalize`. */
export interface NormalizeOptions {
  /** `'minmax'` → [0, 1] (default), or `'standardize'` → mean 0, standard deviation 1. */
  method?: 'minmax' | 'standardize';
  /**
   * The feature axis kept, one statistic per entry, reduced over every other axis (Keras'
   * Normalization layer; default −1, the last). null: one statistic for the whole tensor, as
   * usual for images.
   */
  axis?: number | null;
}

/**
 * Computes normalisation statistics on (training) data, to apply with `applyNormalization` to it
 * and to the test data alike. A constant feature keeps its range or deviation at 1 (no division by 0).
 * @example
 * const stats = st.datasets.fitNormalization(xTrain, { method: 'standardize' });
 * const xTestN = st.datasets.applyNormalization(xTest, stats);
 */
export function fitNormalization(x: TensorLike, opts: NormalizeOptions = {}): NormalizationStats {
  const t = toTensor(x, 'fitNormalization', 'x');
  const method = opts.method ?? 'minmax';
  if (method !== 'minmax' && method !== 'standardize') {
    throw new ConfigError(`fitNormalization: method must be 'minmax' or 'standardize', got ${JSON.stringify(method)}`);
  }
  if (t.size === 0) throw new ShapeError(`fitNormalization: x is empty (shape ${fmtShape(t.shape)}); nothing to fit`);
  const requested = opts.axis === undefined ? -1 : opts.axis;
  const axis = featureAxis('fitNormalization', t, requested);
  const { features, inner } = layout(t, axis);
  const v = t.values;
  const count = t.size / features;
  if (method === 'minmax') {
    const min = new Array<number>(features).fill(Infinity), max = new Array<number>(features).fill(-Infinity);
    for (let i = 0; i < v.length; i++) {
      const f = Math.floor(i / inner) % features;
      if (v[i] < min[f]) min[f] = v[i];
      if (v[i] > max[f]) max[f] = v[i];
    }
    return { method, axis: requested, min, max };
  }
  const mean = new Array<number>(features).fill(0), sq = new Array<number>(features).fill(0);
  for (let i = 0; i < v.length; i++) mean[Math.floor(i / inner) % features] += v[i];
  for (let f = 0; f < features; f++) mean[f] /= count;
  for (let i = 0; i < v.length; i++) {
    const f = Math.floor(i / inner) % features;
    sq[f] += (v[i] - mean[f]) ** 2;
  }
  return { method, axis: requested, mean, std: sq.map((s) => Math.sqrt(s / count)) };
}

/**
 * Applies fitted statistics: (x − min) / (max − min), or (x − mean) / std. x must have the same
 * number of features on the statistics' axis; the result is float32.
 * @example st.datasets.applyNormalization(st.tensor([[5, 10]]), { method: 'minmax', axis: -1, min: [0, 0], max: [10, 20] }) // [[0.5, 0.5]]
 */
export function applyNormalization(x: TensorLike, stats: NormalizationStats): Tensor {
  const t = toTensor(x, 'applyNormalization', 'x');
  const axis = featureAxis('applyNormalization', t, stats.axis);
  const { features, inner } = layout(t, axis);
  const [shift, span] = stats.method === 'minmax'
    ? [stats.min, stats.max?.map((m, f) => m - stats.min![f])]
    : [stats.mean, stats.std];
  if (!shift || !span || shift.length !== span.length) {
    throw new ConfigError(`applyNormalization: stats for '${stats.method}' need ${stats.method === 'minmax' ? 'min and max' : 'mean and std'} of equal length`);
  }
  if (shift.length !== features) {
    throw new ShapeError(`applyNormalization: stats have ${shift.length} features but x (shape ${fmtShape(t.shape)}) has ${features} on axis ${stats.axis}`);
  }
  const scale = span.map((s) => (Math.abs(s) < 1e-12 ? 1 : 1 / s));
  const v = t.values, out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const f = Math.floor(i / inner) % features;
    out[i] = (v[i] - shift[f]) * scale[f];
  }
  return new Tensor(out, t.shape);
}

/**
 * Fits statistics on x and applies them: returns the normalised tensor and the statistics to reuse
 * on test data. Options: `method` ('minmax' default, or 'standardize'), `axis` (−1 default, null = global).
 * @example
 * const { x: xTrainN, stats } = st.datasets.normalize(xTrain, { method: 'standardize' });
 * const xTestN = st.datasets.applyNormalization(xTest, stats);
 */
export function normalize(x: TensorLike, opts: NormalizeOptions = {}): { x: Tensor; stats: NormalizationStats } {
  const stats = fitNormalization(x, opts);
  return { x: applyNormalization(x, stats), stats };
}

function featureAxis(where: string, t: Tensor, axis: number | null): number | null {
  if (axis === null) return null;
  if (!Number.isInteger(axis) || axis < -t.rank || axis >= t.rank) {
    throw new ConfigError(`${where}: axis ${axis} is out of range for shape ${fmtShape(t.shape)}; use −${t.rank}…${t.rank - 1} or null`);
  }
  return axis < 0 ? axis + t.rank : axis;
}

/** Features on the axis, and the stride of that axis (elements per step along it). */
function layout(t: Tensor, axis: number | null): { features: number; inner: number } {
  if (axis === null) return { features: 1, inner: Math.max(1, t.size) };
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return { features: t.shape[axis], inner };
}
