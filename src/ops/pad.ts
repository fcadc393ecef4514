import { ConfigError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { runOp } from './engine.js';
import { slice } from './slice.js';

/**
 * Pads x with `constantValue` (default 0): paddings[i] = [before, after] elements on axis i.
 * @example st.pad(x, [[0, 0], [1, 2]]) // one column before, two after
 */
export function pad(x: TensorLike, paddings: [number, number][], constantValue = 0): Tensor {
  const $x = toTensor(x, 'pad', 'x');
  if (!Array.isArray(paddings) || paddings.length !== $x.rank) {
    throw new ShapeError(`pad: paddings must hold one [before, after] pair per axis of x (rank ${$x.rank}, ` +
      `shape ${fmtShape($x.shape)}), got ${JSON.stringify(paddings)}`);
  }
  for (let i = 0; i < paddings.length; i++) {
    const p = paddings[i];
    if (!Array.isArray(p) || p.length !== 2 || p.some((q) => !Number.isInteger(q) || q < 0)) {
      throw new ConfigError(`pad: paddings[${i}] must be [before, after] with non-negative integers, got ${JSON.stringify(p)}`);
    }
  }
  if (typeof constantValue !== 'number') {
    throw new ConfigError(`pad: constantValue must be a number, got ${JSON.stringify(constantValue)}`);
  }
  const p = paddings.map(([a, b]): [number, number] => [a, b]);
  if (p.every(([a, b]) => a === 0 && b === 0)) return $x;
  return runOp('Pad', [$x], (k) => k.pad($x, p, constantValue),
    (dy) => [slice(dy, p.map(([a]) => a), $x.shape)]);
}
