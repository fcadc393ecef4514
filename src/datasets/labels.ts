import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { oneHot as oneHotOp } from '../ops/one-hot.js';

/**
 * One-hot encodes integer class labels into a float32 [n, numClasses] tensor (Keras'
 * `to_categorical`). Unlike `st.oneHot`, a label that is not an integer in [0, numClasses) is an
 * error rather than a row of zeros. `numClasses` defaults to the largest label + 1.
 * @example st.datasets.oneHot([2, 0], 3).arraySync() // [[0, 0, 1], [1, 0, 0]]
 */
export function oneHot(labels: readonly number[] | Int32Array | Tensor, numClasses?: number): Tensor {
  if (labels instanceof Tensor && labels.rank !== 1) {
    throw new ShapeError(`oneHot: labels must be rank 1 (one class per sample), got shape ${fmtShape(labels.shape)}`);
  }
  const vals = labels instanceof Tensor ? labels.values : labels;
  let max = -1;
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if (!Number.isInteger(v) || v < 0) throw new ConfigError(`oneHot: label ${i} is ${v}; labels must be non-negative integers`);
    if (v > max) max = v;
  }
  const depth = numClasses ?? max + 1;
  if (!Number.isInteger(depth) || depth < 1) throw new ConfigError(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  if (max >= depth) throw new ConfigError(`oneHot: label ${max} is outside 0–${depth - 1}; raise numClasses to at least ${max + 1}`);
  return oneHotOp(new Tensor(Int32Array.from(vals), [vals.length]), depth);
}

/** Alias of `oneHot`, Keras' name. */
export const toCategorical = oneHot;
