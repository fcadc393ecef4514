import { ConfigError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { normalizeAxis, stridesOf } from '../tensor/shape.js';
import { runOp } from './engine.js';

/** Converts indices (plain arrays become int32) and rejects float tensors with the fix. */
export function intIndices(op: string, arg: string, indices: TensorLike): Tensor {
  const t = toTensor(indices, op, arg, 'int32');
  if (t.dtype !== 'int32') {
    throw new DTypeError(`${op}: ${arg} must be int32, got ${t.dtype} — cast them with st.cast(${arg}, 'int32')`);
  }
  return t;
}

/** Where flat position `j` of a tensor of `shape` sits, as "[i, j, k]". */
function position(shape: readonly number[], j: number): string {
  const strides = stridesOf(shape);
  return `[${shape.map((d, i) => Math.floor(j / strides[i]) % d).join(', ')}]`;
}

/** Throws naming the first index outside [0, n). */
function checkRange(op: string, arg: string, ids: Tensor, n: number, what: string): void {
  const v = ids.values;
  for (let j = 0; j < v.length; j++) {
    if (v[j] < 0 || v[j] >= n) {
      throw new ShapeError(`${op}: ${arg}${position(ids.shape, j)} = ${v[j]} is out of range for ${what}; ` +
        `valid ${arg} are 0 to ${n - 1}`);
    }
  }
}

/** Scatter-add along an axis (gather's gradient); its own gradient is gather. */
function segmentSum(x: Tensor, ids: Tensor, numSegments: number, axis: number): Tensor {
  return runOp('UnsortedSegmentSum', [x], (k) => k.unsortedSegmentSum(x, ids, numSegments, axis),
    (dy) => [gather(dy, ids, axis)]);
}

/**
 * Picks slices of x along `axis` (default 0) at int32 `indices` of any rank: the result has shape
 * x.shape[:axis] + indices.shape + x.shape[axis+1:]. The gradient scatter-adds into x, so repeated
 * indices accumulate (this is the embedding lookup).
 * @example st.gather(table, st.tensor([[0, 2], [1, 1]], undefined, 'int32')) // [2, 2, dim] rows
 */
export function gather(x: TensorLike, indices: TensorLike, axis = 0): Tensor {
  const $x = toTensor(x, 'gather', 'x');
  const idx = intIndices('gather', 'indices', indices);
  if ($x.rank === 0) throw new ShapeError('gather: x is a scalar (shape []); it needs at least one axis to gather from');
  const a = normalizeAxis('gather', axis, $x.rank);
  const n = $x.shape[a];
  checkRange('gather', 'indices', idx, n, `axis ${a} of x, which has size ${n} (x is ${fmtShape($x.shape)})`);
  return runOp('Gather', [$x, idx], (k) => k.gather($x, idx, a), (dy) => [segmentSum(dy, idx, n, a), null]);
}

/**
 * Sums the slices of x that share a segment id, as tf.unsortedSegmentSum: segmentIds (int32, in
 * [0, numSegments)) has the shape of a prefix of x's shape; the result has shape
 * [numSegments, ...x.shape[segmentIds.rank:]]. Differentiable (the gradient is a gather).
 * @example st.unsortedSegmentSum(st.tensor([1, 2, 3]), st.tensor([1, 0, 1], undefined, 'int32'), 2) // [2, 4]
 */
export function unsortedSegmentSum(x: TensorLike, segmentIds: TensorLike, numSegments: number): Tensor {
  const $x = toTensor(x, 'unsortedSegmentSum', 'x');
  const ids = intIndices('unsortedSegmentSum', 'segmentIds', segmentIds);
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new ConfigError(`unsortedSegmentSum: numSegments must be a non-negative integer, got ${numSegments}`);
  }
  if (ids.rank > $x.rank || ids.shape.some((d, i) => d !== $x.shape[i])) {
    throw new ShapeError(`unsortedSegmentSum: segmentIds has shape ${fmtShape(ids.shape)}, which is not a leading part ` +
      `of x's shape ${fmtShape($x.shape)}`);
  }
  checkRange('unsortedSegmentSum', 'segmentIds', ids, numSegments, `numSegments ${numSegments}`);
  return segmentSum($x, ids, numSegments, 0);
}
