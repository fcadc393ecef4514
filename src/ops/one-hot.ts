import type { Tensor } from '../tensor/tensor.js';
import type { TensorLike } from '../tensor/create.js';
import { assertPositiveInt } from '../tensor/shape.js';
import { ConfigError } from '../errors.js';
import { runOp } from './engine.js';
import { intIndices } from './gather.js';

/**
 * One-hot encodes int32 `indices` into float32 [...indices.shape, depth]: onValue (default 1) at each
 * index, offValue (default 0) elsewhere; an index outside [0, depth) gives a row all offValue, as
 * TensorFlow. (tf.oneHot returns int32; Strata returns float32, the form losses use.) No gradient.
 * @example st.oneHot(st.tensor([0, 2], undefined, 'int32'), 3) // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(indices: TensorLike, depth: number, onValue = 1, offValue = 0): Tensor {
  const idx = intIndices('oneHot', 'indices', indices);
  assertPositiveInt('oneHot', 'depth', depth);
  if (typeof onValue !== 'number' || typeof offValue !== 'number') {
    throw new ConfigError(`oneHot: onValue and offValue must be numbers, got ${JSON.stringify(onValue)} and ${JSON.stringify(offValue)}`);
  }
  return runOp('OneHot', [idx], (k) => k.oneHot(idx, depth, onValue, offValue));
}
