import type { Tensor } from '../tensor/tensor.js';

/**
 * Geometry of a 3-D pooling window over x [batch, inD, inH, inW, channels] (NDHWC). 1-D and 2-D
 * pooling use the same kernels with unit leading spatial dims. `pad*` is the padding before each
 * spatial dim; windows are clipped to the input, so padded positions never take part.
 */
export interface Pool3dInfo {
  batch: number;
  inD: number;
  inH: number;
  inW: number;
  channels: number;
  filterD: number;
  filterH: number;
  filterW: number;
  strideD: number;
  strideH: number;
  strideW: number;
  padFront: number;
  padTop: number;
  padLeft: number;
  outD: number;
  outH: number;
  outW: number;
}

/** Kernel signatures of the pool area (see backend.ts). */
export interface PoolKernels {
  /** Max over each window: y [batch, outD, outH, outW, channels], x's dtype. */
  maxPool3d(x: Tensor, info: Pool3dInfo): Tensor;
  /** Flat index into x of each window's max (the first one on ties), int32 shaped like the pooled output. */
  maxPool3dArgmax(x: Tensor, info: Pool3dInfo): Tensor;
  /**
   * Max pooling with its argmax in one pass, for the recorded forward pass: `values` is x at `argmax`
   * (as maxPool3dArgmax then gatherFlat; unlike maxPool3d, a NaN does not replace a window's maximum).
   */
  maxPool3dWithArgmax(x: Tensor, info: Pool3dInfo): { values: Tensor; argmax: Tensor };
  /** out[i] = x.values[indices[i]], shaped like indices: max pooling read through its argmax. */
  gatherFlat(x: Tensor, indices: Tensor): Tensor;
  /** Zeros of `shape` with dy[i] added at flat position indices[i]: the max-pool backward pass. */
  scatterAddFlat(dy: Tensor, indices: Tensor, shape: readonly number[]): Tensor;
  /** Mean over the valid (unpadded) elements of each window; int32 x gives float32. */
  avgPool3d(x: Tensor, info: Pool3dInfo): Tensor;
  /** Gradient of avgPool3d: each dy shared equally among its window's valid elements; dx is x-shaped. */
  avgPool3dBackward(dy: Tensor, info: Pool3dInfo): Tensor;
}
