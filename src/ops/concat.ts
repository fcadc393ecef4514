import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxis, shapesEqual } from '../tensor/shape.js';
import { runOp } from './engine.js';
import { split } from './split.js';
import { reshape } from './reshape.js';

function tensorList(op: string, tensors: readonly TensorLike[]): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new ConfigError(`${op}: tensors must be a non-empty array of tensors, got ${Array.isArray(tensors) ? '[]' : typeof tensors}`);
  }
  return tensors.map((t, i) => toTensor(t, op, `tensors[${i}]`));
}

/**
 * Joins tensors along an existing `axis` (default 0; negative counts from the end); every other
 * dimension must match. Mixed dtypes give the widest. The gradient splits dy back into the pieces.
 * @example st.concat([a, b], -1) // [2, 3] and [2, 4] → [2, 7]
 */
export function concat(tensors: TensorLike[], axis = 0): Tensor {
  const xs = tensorList('concat', tensors);
  const first = xs[0];
  if (first.rank === 0) {
    throw new ShapeError('concat: cannot concatenate scalars (tensors[0] has shape []); use st.stack to join them into a vector');
  }
  const a = normalizeAxis('concat', axis, first.rank);
  for (let i = 1; i < xs.length; i++) {
    const s = xs[i].shape;
    if (s.length !== first.rank || s.some((d, j) => j !== a && d !== first.shape[j])) {
      throw new ShapeError(`concat: tensors[${i}] has shape ${fmtShape(s)} but tensors[0] has shape ${fmtShape(first.shape)}; ` +
        `they must match in every dimension except axis ${axis}`);
    }
  }
  if (xs.length === 1) return first;
  return runOp('Concat', xs, (k) => k.concat(xs, a), (dy) => split(dy, xs.map((x) => x.shape[a]), a));
}

/**
 * Stacks tensors of one shape along a new `axis` (default 0; negative counts from the end of the
 * result): n tensors of shape [a, b] give [n, a, b] for axis 0.
 * @example st.stack([st.tensor([1, 2]), st.tensor([3, 4])], 1) // [[1, 3], [2, 4]]
 */
export function stack(tensors: TensorLike[], axis = 0): Tensor {
  const xs = tensorList('stack', tensors);
  const shape = xs[0].shape;
  for (let i = 1; i < xs.length; i++) {
    if (!shapesEqual(xs[i].shape, shape)) {
      throw new ShapeError(`stack: tensors[${i}] has shape ${fmtShape(xs[i].shape)} but tensors[0] has shape ` +
        `${fmtShape(shape)}; every tensor must have the same shape`);
    }
  }
  const a = normalizeAxis('stack', axis, shape.length + 1);
  const expanded = shape.slice();
  expanded.splice(a, 0, 1);
  return concat(xs.map((x) => reshape(x, expanded)), a);
}
