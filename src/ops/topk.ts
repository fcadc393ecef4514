import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor, tensor } from '../tensor/create.js';
import { reshape } from './reshape.js';
import { gather } from './gather.js';

/**
 * The k largest entries along the last axis and their int32 indices, largest first; equal values
 * in index order (as TensorFlow.js). `values` is a gather of x, so gradients flow to the chosen
 * entries; `indices` has none.
 * Options: k (default 1, 0 to the last dimension); sorted (default true; false gives the same order).
 * @example const { values, indices } = st.topk(probs, 5); // top-5 classes per row
 */
export function topk(x: TensorLike, k = 1, sorted = true): { values: Tensor; indices: Tensor } {
  const t = toTensor(x, 'topk', 'x');
  if (t.rank === 0) throw new ShapeError('topk: x must have at least one dimension, got a scalar — reshape it to [1]');
  const n = t.shape[t.rank - 1];
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new ConfigError(`topk: k must be an integer from 0 to the last dimension ${n} of x (shape ${fmtShape(t.shape)}), got ${k}`);
  }
  if (typeof sorted !== 'boolean') throw new ConfigError(`topk: sorted must be a boolean, got ${JSON.stringify(sorted)}`);
  const rows = n === 0 ? 0 : t.size / n;
  const v = t.values;
  const idx = new Int32Array(rows * k), flat = new Int32Array(rows * k);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    order.sort((i, j) => (v[base + j] - v[base + i]) || i - j);
    for (let j = 0; j < k; j++) {
      idx[r * k + j] = order[j];
      flat[r * k + j] = base + order[j];
      order[j] = j;
    }
    for (let j = k; j < n; j++) order[j] = j;
  }
  const outShape = [...t.shape.slice(0, -1), k];
  const values = reshape(gather(reshape(t, [-1]), tensor(flat, [rows * k], 'int32')), outShape);
  return { values, indices: tensor(idx, outShape, 'int32') };
}
