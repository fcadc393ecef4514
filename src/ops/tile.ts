import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { runOp } from './engine.js';
import { reshape } from './reshape.js';
import { sum } from './reduce.js';

/**
 * Repeats the whole of x `reps[i]` times along axis i (one entry per axis), as tf.tile.
 * @example st.tile(st.tensor([1, 2]), [3]) // [1, 2, 1, 2, 1, 2]
 */
export function tile(x: TensorLike, reps: number[]): Tensor {
  const $x = toTensor(x, 'tile', 'x');
  if (!Array.isArray(reps) || reps.length !== $x.rank) {
    throw new ShapeError(`tile: reps must have one entry per axis of x (rank ${$x.rank}, shape ${fmtShape($x.shape)}), ` +
      `got ${JSON.stringify(reps)}`);
  }
  if (reps.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new ConfigError(`tile: reps must be non-negative integers, got ${JSON.stringify(reps)}`);
  }
  if (reps.every((r) => r === 1)) return $x;
  const r = reps.slice();
  return runOp('Tile', [$x], (k) => k.tile($x, r), (dy) => {
    // Axis i of dy is r[i] copies of x's axis i: split it into [r[i], size] and sum the copies.
    const split = $x.shape.flatMap((d, i) => [r[i], d]);
    return [reshape(sum(reshape(dy, split), r.map((_, i) => 2 * i)), $x.shape)];
  });
}
