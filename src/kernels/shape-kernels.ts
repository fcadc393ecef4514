import type { Tensor } from '../tensor/tensor.js';

/**
 * Kernel signatures of the shape and indexing area (see backend.ts). Arguments arrive validated by
 * the ops (axes non-negative and in range, boxes inside the tensor, indices in range); every output
 * keeps the input's dtype unless stated.
 */
export interface ShapeKernels {
  /** Permutes axes: out.shape[i] = x.shape[perm[i]]. */
  transpose(x: Tensor, perm: readonly number[]): Tensor;
  /** The box of x with corner `begin` and extent `size` (one entry per axis). */
  slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor;
  /** Joins tensors along `axis` (shapes agree elsewhere); dtype is the widest input dtype. */
  concat(xs: readonly Tensor[], axis: number): Tensor;
  /** Surrounds x with `value`: paddings[i] = [before, after] (non-negative) for axis i. */
  pad(x: Tensor, paddings: readonly (readonly [number, number])[], value: number): Tensor;
  /** Repeats x `reps[i]` times along axis i (the whole block repeats, as tf.tile). */
  tile(x: Tensor, reps: readonly number[]): Tensor;
  /** Reverses the order of elements along each listed axis. */
  reverse(x: Tensor, axes: readonly number[]): Tensor;
  /** Rows of x along `axis` picked by int32 `indices` (in range): shape x[:axis] + indices + x[axis+1:]. */
  gather(x: Tensor, indices: Tensor, axis: number): Tensor;
  /**
   * Scatter-add, the gradient of gather: x has shape x[:axis] + segmentIds.shape + inner; the result
   * has shape x[:axis] + [numSegments] + inner, row s summing the rows of x whose id is s.
   * Ids outside [0, numSegments) are dropped.
   */
  unsortedSegmentSum(x: Tensor, segmentIds: Tensor, numSegments: number, axis: number): Tensor;
  /** float32 [...indices.shape, depth]: onValue at each index, offValue elsewhere (out-of-range rows all off). */
  oneHot(indices: Tensor, depth: number, onValue: number, offValue: number): Tensor;
}
