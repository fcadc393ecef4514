import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { reshape } from './reshape.js';
import { type PoolOptions, type PoolPadding, type PoolSizeArg, planPool, poolShape5d, readPoolArgs } from './pool-util.js';
import { avgPool5d, maxPool5d } from './pool-core.js';

export type { PoolOptions, PoolPadding, PoolSizeArg } from './pool-util.js';

type Strides<T> = number | T | PoolOptions;

// 1-D, 2-D and 3-D pooling all run the 3-D kernels: [N, W, C] is viewed as [N, 1, 1, W, C] and
// [N, H, W, C] as [N, 1, H, W, C], which have the same storage.
function pool(kind: 'max' | 'avg', op: string, rank: number, x: TensorLike, size: unknown, strides: unknown, pad: unknown): Tensor {
  const $x = toTensor(x, op, 'x');
  const { shape5d, batchless } = poolShape5d(op, $x, rank);
  const args = readPoolArgs(op, rank, size, strides, pad);
  const info = planPool(op, $x.shape, shape5d, rank, args);
  const x5 = reshape($x, shape5d);
  const y5 = kind === 'max' ? maxPool5d(x5, info) : avgPool5d(x5, info);
  const spatial = [info.outD, info.outH, info.outW].slice(3 - rank);
  return reshape(y5, batchless ? [...spatial, info.channels] : [info.batch, ...spatial, info.channels]);
}

/**
 * 2-D max pooling of x [batch, height, width, channels] (or [height, width, channels]).
 * Positional as TensorFlow.js, or with an options object in place of the size or the strides.
 * @param filterSize window size, a number or [height, width]; or `{ poolSize, strides, padding }`.
 * @param strides step between windows (default: the pool size).
 * @param pad 'valid' (default) or 'same'.
 * @example st.maxPool(x, 2, 2, 'same'); st.maxPool(x, { poolSize: [3, 3], strides: 2 })
 */
export function maxPool(x: TensorLike, filterSize: PoolSizeArg<[number, number]>, strides?: Strides<[number, number]>, pad?: PoolPadding): Tensor {
  return pool('max', 'maxPool', 2, x, filterSize, strides, pad);
}

/**
 * 2-D average pooling of x [batch, height, width, channels] (or batchless). Each output is the mean
 * of the valid input elements of its window: padding is not counted (Keras/TensorFlow 'same').
 * Arguments as {@link maxPool}.
 * @example st.avgPool(x, [2, 2], 1, 'same')
 */
export function avgPool(x: TensorLike, filterSize: PoolSizeArg<[number, number]>, strides?: Strides<[number, number]>, pad?: PoolPadding): Tensor {
  return pool('avg', 'avgPool', 2, x, filterSize, strides, pad);
}

/**
 * 1-D max pooling of x [batch, width, channels] (or [width, channels]).
 * @param poolSize window length; or `{ poolSize, strides, padding }`.
 * @param strides step (default: the pool size). @param pad 'valid' (default) or 'same'.
 * @example st.maxPool1d(x, 3, 2, 'same')
 */
export function maxPool1d(x: TensorLike, poolSize: PoolSizeArg<[number]>, strides?: Strides<[number]>, pad?: PoolPadding): Tensor {
  return pool('max', 'maxPool1d', 1, x, poolSize, strides, pad);
}

/**
 * 1-D average pooling of x [batch, width, channels] (or batchless); padding is not counted.
 * @example st.avgPool1d(x, { poolSize: 2, padding: 'same' })
 */
export function avgPool1d(x: TensorLike, poolSize: PoolSizeArg<[number]>, strides?: Strides<[number]>, pad?: PoolPadding): Tensor {
  return pool('avg', 'avgPool1d', 1, x, poolSize, strides, pad);
}

/**
 * 3-D max pooling of x [batch, depth, height, width, channels] (or batchless).
 * @param filterSize a number or [depth, height, width]; or `{ poolSize, strides, padding }`.
 * @param strides step (default: the pool size). @param pad 'valid' (default) or 'same'.
 * @example st.maxPool3d(x, 2, 2, 'valid')
 */
export function maxPool3d(x: TensorLike, filterSize: PoolSizeArg<[number, number, number]>, strides?: Strides<[number, number, number]>, pad?: PoolPadding): Tensor {
  return pool('max', 'maxPool3d', 3, x, filterSize, strides, pad);
}

/**
 * 3-D average pooling of x [batch, depth, height, width, channels] (or batchless); padding is not counted.
 * @example st.avgPool3d(x, [2, 2, 2], 1, 'same')
 */
export function avgPool3d(x: TensorLike, filterSize: PoolSizeArg<[number, number, number]>, strides?: Strides<[number, number, number]>, pad?: PoolPadding): Tensor {
  return pool('avg', 'avgPool3d', 3, x, filterSize, strides, pad);
}
