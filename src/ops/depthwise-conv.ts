import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import type { Padding } from './window.js';
import { type ConvOptions, planConv, resolveConvArgs } from './conv-util.js';
import { depthwiseForward } from './conv-core.js';

/**
 * Depthwise 2-D convolution: each input channel c of x [batch, height, width, C] (or without batch) is
 * convolved with its own filters filter[:, :, c, m], giving output channel c·multiplier + m of
 * y [batch, outHeight, outWidth, C·multiplier]. Filter: [filterHeight, filterWidth, C, multiplier].
 * @param strides window step, one number or [h, w] (default 1), or an options object { strides, padding, dilations }
 * @param pad 'valid' (default), 'same', a number, or [[top, bottom], [left, right]]
 * @param dilations spacing between filter taps (default 1)
 * @example st.depthwiseConv2d(x, w, { strides: 2, padding: 'same' })
 */
export function depthwiseConv2d(x: TensorLike, filter: TensorLike, strides?: number | number[] | ConvOptions,
  pad?: Padding, dataFormat?: 'NHWC' | 'NCHW', dilations?: number | number[],
  dimRoundingMode?: 'floor' | 'round' | 'ceil'): Tensor {
  const $x = toTensor(x, 'depthwiseConv2d', 'x');
  const $w = toTensor(filter, 'depthwiseConv2d', 'filter');
  const args = resolveConvArgs('depthwiseConv2d', 2, strides, pad, dataFormat, dilations, dimRoundingMode);
  return depthwiseForward($x, $w, planConv('depthwiseConv2d', 2, $x.shape, $w.shape, args, true));
}
