import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import type { Padding } from './window.js';
import { type ConvRank, type ConvTransposeOptions, planConvTranspose, resolveConvTransposeArgs } from './conv-util.js';
import { convBackpropInput } from './conv-core.js';

type Sizes = number | number[];

// A transposed conv is the gradient of a forward conv with respect to its input: its filter
// [..k, outChannels, inChannels] is exactly the forward filter [..k, C_in_fwd, C_out_fwd], and its
// gradients are the forward conv (for x) and the forward conv's filter gradient with x and dy swapped.
function convTransposeNd(op: string, rank: ConvRank, x: TensorLike, filter: TensorLike, third: unknown,
  strides: unknown, pad: unknown, dimRoundingMode: unknown): Tensor {
  const $x = toTensor(x, op, 'x');
  const $w = toTensor(filter, op, 'filter');
  const args = resolveConvTransposeArgs(op, rank, third, strides, pad, dimRoundingMode);
  return convBackpropInput($x, $w, planConvTranspose(op, rank, $x.shape, $w.shape, args));
}

/**
 * 1-D transposed convolution ("deconvolution") of x [batch, width, inChannels] (or without batch)
 * with filter [filterWidth, outChannels, inChannels].
 * @param outputShape the output shape (optional: computed from the other arguments when omitted), or an
 *   options object { strides, padding, outputPadding, dilations, outputShape }
 * @param strides upsampling factor (default 1)
 * @param pad 'valid' (default; length (in−1)·s + kEff, or in·s when kEff < s), 'same' (length in·s),
 *   a number or [[before, after]] cropped from the full result
 * @example st.conv1dTranspose(x, w, { strides: 2, padding: 'same' })
 */
export function conv1dTranspose(x: TensorLike, filter: TensorLike, outputShape?: number[] | ConvTransposeOptions | null,
  strides?: Sizes, pad?: Padding): Tensor {
  return convTransposeNd('conv1dTranspose', 1, x, filter, outputShape, strides, pad, undefined);
}

/**
 * 2-D transposed convolution of x [batch, height, width, inChannels] (or without batch) with
 * filter [filterHeight, filterWidth, outChannels, inChannels], as tf.conv2dTranspose.
 * @param outputShape [batch, height, width, outChannels] (optional), or an options object
 *   { strides, padding, outputPadding, dilations, outputShape }
 * @param strides upsampling factor, one number or [h, w] (default 1)
 * @param pad 'valid' (default), 'same', a number or [[top, bottom], [left, right]] cropped from the full result
 * @example st.conv2dTranspose(x, w, { strides: 2, padding: 'same', outputPadding: 1 })
 */
export function conv2dTranspose(x: TensorLike, filter: TensorLike, outputShape?: number[] | ConvTransposeOptions | null,
  strides?: Sizes, pad?: Padding, dimRoundingMode?: 'floor' | 'round' | 'ceil'): Tensor {
  return convTransposeNd('conv2dTranspose', 2, x, filter, outputShape, strides, pad, dimRoundingMode);
}

/**
 * 3-D transposed convolution of x [batch, depth, height, width, inChannels] (or without batch) with
 * filter [filterDepth, filterHeight, filterWidth, outChannels, inChannels].
 * @param outputShape [batch, depth, height, width, outChannels] (optional), or an options object
 *   { strides, padding, outputPadding, dilations, outputShape }
 * @param strides upsampling factor, one number or [d, h, w] (default 1)
 * @param pad 'valid' (default), 'same', a number or one [before, after] pair per spatial dim
 * @example st.conv3dTranspose(x, w, { strides: 2, padding: 'valid' })
 */
export function conv3dTranspose(x: TensorLike, filter: TensorLike, outputShape?: number[] | ConvTransposeOptions | null,
  strides?: Sizes, pad?: Padding): Tensor {
  return convTransposeNd('conv3dTranspose', 3, x, filter, outputShape, strides, pad, undefined);
}
