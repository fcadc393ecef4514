import type { Tensor } from '../tensor/tensor.js';
import type { FusedActivation } from './elementwise-kernels.js';
import type { Pool3dInfo } from './pool-kernels.js';

/** Three spatial sizes, outermost first: depth, height, width. */
export type Triple = [number, number, number];

/**
 * Geometry of a 3-D convolution over x [batch, ...inSize, inChannels] (NDHWC) with a filter
 * [...kernel, inChannels, outChannels]. 1-D and 2-D convolutions use the same kernels with unit
 * leading spatial dims (their storage is identical: [N, W, C] = [N, 1, 1, W, C]).
 * Output position o reads input position o·stride − padBefore + k·dilation for each tap k; taps that
 * fall outside [0, inSize) read zeros, so only `padBefore` is needed (the padding after is implied by
 * outSize). For depthwise kernels the filter is [...kernel, inChannels, multiplier] and
 * outChannels = inChannels · multiplier (output channel c·multiplier + m).
 */
export interface ConvInfo {
  batch: number;
  inSize: Triple;
  outSize: Triple;
  inChannels: number;
  outChannels: number;
  kernel: Triple;
  strides: Triple;
  dilations: Triple;
  padBefore: Triple;
  /** Depthwise only: output channels per input channel (1 for a regular conv). */
  multiplier: number;
}

/** Kernel signatures of the conv area (see backend.ts). Outputs take the wider of the two inputs' dtypes. */
export interface ConvKernels {
  /** Cross-correlation: y [batch, ...outSize, outChannels] from x [batch, ...inSize, inChannels] and filter [...kernel, inChannels, outChannels]. */
  conv3d(x: Tensor, filter: Tensor, info: ConvInfo): Tensor;
  /**
   * act(conv3d(x, filter) + bias) with bias [outChannels] (or null): what biasActivation of conv3d's
   * output gives, in one pass where the backend can fuse them.
   */
  conv3dBiasActivation(x: Tensor, filter: Tensor, bias: Tensor | null, act: FusedActivation, alpha: number, info: ConvInfo): Tensor;
  /**
   * maxPool3d(conv3dBiasActivation(x, filter, bias, act, alpha, info), pool) for inference (no
   * gradient): where the backend can fuse them, the conv's full output is never written. `pool`'s
   * input is the conv's output ([batch, ...outSize, outChannels]).
   */
  conv3dBiasActivationMaxPool(x: Tensor, filter: Tensor, bias: Tensor | null, act: FusedActivation, alpha: number,
    info: ConvInfo, pool: Pool3dInfo): Tensor;
  /** Gradient of conv3d with respect to x: dx [batch, ...inSize, inChannels] from dy [batch, ...outSize, outChannels] (a transposed convolution). */
  conv3dBackpropInput(dy: Tensor, filter: Tensor, info: ConvInfo): Tensor;
  /** Gradient of conv3d with respect to the filter: dw [...kernel, inChannels, outChannels] from x and dy. */
  conv3dBackpropFilter(x: Tensor, dy: Tensor, info: ConvInfo): Tensor;
  /** Depthwise conv: each input channel c convolved with filter[..., c, m] gives output channel c·multiplier + m. */
  depthwiseConv3d(x: Tensor, filter: Tensor, info: ConvInfo): Tensor;
  /** Gradient of depthwiseConv3d with respect to x. */
  depthwiseConv3dBackpropInput(dy: Tensor, filter: Tensor, info: ConvInfo): Tensor;
  /** Gradient of depthwiseConv3d with respect to the filter [...kernel, inChannels, multiplier]. */
  depthwiseConv3dBackpropFilter(x: Tensor, dy: Tensor, info: ConvInfo): Tensor;
}
