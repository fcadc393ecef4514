import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import type { Padding } from './window.js';
import { type ConvOptions, type ConvRank, planConv, resolveConvArgs } from './conv-util.js';
import { convBiasActivationForward, convForward } from './conv-core.js';
import type { FusedActivation } from './bias-activation.js';

type Sizes = number | number[];

/** One N-dimensional conv behind conv1d/2d/3d (PyTorch's _ConvNd idea): the kernels only know 3-D. */
function convNd(op: string, rank: ConvRank, x: TensorLike, filter: TensorLike, third: unknown, pad: unknown,
  dataFormat: unknown, dilations: unknown, dimRoundingMode: unknown): Tensor {
  const $x = toTensor(x, op, 'x');
  const $w = toTensor(filter, op, 'filter');
  const args = resolveConvArgs(op, rank, third, pad, dataFormat, dilations, dimRoundingMode);
  return convForward($x, $w, planConv(op, rank, $x.shape, $w.shape, args));
}

/**
 * act(conv(x, filter) + bias) as one op, for the conv layers (internal: not in the public barrel).
 * `options` as conv1d/2d/3d's options form; bias [outChannels] of x's dtype (float32 or float64).
 */
export function convBiasActivation(rank: ConvRank, x: Tensor, filter: Tensor, bias: Tensor, act: FusedActivation,
  options: ConvOptions): Tensor {
  const op = `conv${rank}d`;
  const args = resolveConvArgs(op, rank, options, undefined, undefined, undefined, undefined);
  return convBiasActivationForward(x, filter, bias, act, 1, planConv(op, rank, x.shape, filter.shape, args));
}

/**
 * 1-D convolution (cross-correlation) of x [batch, width, inChannels] (or [width, inChannels]) with
 * filter [filterWidth, inChannels, outChannels].
 * @param stride window step (default 1), or an options object { strides | stride, padding, dilations | dilation }
 * @param pad 'valid' (default), 'same', 'causal' (kEff − 1 zeros before), a number, or [[before, after]]
 * @param dilation spacing between filter taps (default 1)
 * @example st.conv1d(x, w, { stride: 2, padding: 'causal', dilation: 2 })
 */
export function conv1d(x: TensorLike, filter: TensorLike, stride?: Sizes | ConvOptions, pad?: Padding,
  dataFormat?: 'NWC' | 'NCW', dilation?: Sizes, dimRoundingMode?: 'floor' | 'round' | 'ceil'): Tensor {
  return convNd('conv1d', 1, x, filter, stride, pad, dataFormat, dilation, dimRoundingMode);
}

/**
 * 2-D convolution (cross-correlation) of x [batch, height, width, inChannels] (or without batch) with
 * filter [filterHeight, filterWidth, inChannels, outChannels].
 * @param strides window step, one number or [h, w] (default 1), or an options object { strides, padding, dilations }
 * @param pad 'valid' (default), 'same', a number, or [[top, bottom], [left, right]]
 * @param dilations spacing between filter taps (default 1)
 * @example st.conv2d(x, w, { strides: 2, padding: 'same' })
 */
export function conv2d(x: TensorLike, filter: TensorLike, strides?: Sizes | ConvOptions, pad?: Padding,
  dataFormat?: 'NHWC' | 'NCHW', dilations?: Sizes, dimRoundingMode?: 'floor' | 'round' | 'ceil'): Tensor {
  return convNd('conv2d', 2, x, filter, strides, pad, dataFormat, dilations, dimRoundingMode);
}

/**
 * 3-D convolution (cross-correlation) of x [batch, depth, height, width, inChannels] (or without batch)
 * with filter [filterDepth, filterHeight, filterWidth, inChannels, outChannels].
 * @param strides window step, one number or [d, h, w] (default 1), or an options object { strides, padding, dilations }
 * @param pad 'valid' (default), 'same', a number, or one [before, after] pair per spatial dim
 * @param dilations spacing between filter taps (default 1)
 * @example st.conv3d(x, w, { strides: [1, 2, 2], padding: 'same' })
 */
export function conv3d(x: TensorLike, filter: TensorLike, strides?: Sizes | ConvOptions, pad?: Padding,
  dataFormat?: 'NDHWC' | 'NCDHW', dilations?: Sizes): Tensor {
  return convNd('conv3d', 3, x, filter, strides, pad, dataFormat, dilations, undefined);
}
